using WasmKiln.Runtime;
using WasmKiln.Text;

namespace WasmKiln.Script;

/// <summary>The kinds of script commands. Each command counts as one unit when a script runs.</summary>
internal enum CommandKind : byte
{
    /// <summary><c>(module ...)</c> in any form, including <c>module definition</c>.</summary>
    Module,
    /// <summary><c>(module instance $i? $d?)</c>.</summary>
    ModuleInstance,
    /// <summary><c>(register "name" $id?)</c>.</summary>
    Register,
    /// <summary>A top-level <c>(invoke ...)</c>.</summary>
    Invoke,
    /// <summary>A top-level <c>(get ...)</c>.</summary>
    Get,
    /// <summary><c>(assert_return action result*)</c>.</summary>
    AssertReturn,
    /// <summary><c>(assert_trap action|module "msg")</c>.</summary>
    AssertTrap,
    /// <summary><c>(assert_exhaustion action "msg")</c>.</summary>
    AssertExhaustion,
    /// <summary><c>(assert_exception action)</c>.</summary>
    AssertException,
    /// <summary><c>(assert_malformed module "msg")</c>.</summary>
    AssertMalformed,
    /// <summary><c>(assert_invalid module "msg")</c>.</summary>
    AssertInvalid,
    /// <summary><c>(assert_unlinkable module "msg")</c>.</summary>
    AssertUnlinkable,
    /// <summary><c>(assert_uninstantiable module "msg")</c> (older form of a trapping instantiation).</summary>
    AssertUninstantiable,
    /// <summary><c>(assert_malformed_custom module "msg")</c>.</summary>
    AssertMalformedCustom,
    /// <summary><c>(assert_invalid_custom module "msg")</c>.</summary>
    AssertInvalidCustom,
}

/// <summary>An <c>(invoke $id? "name" arg*)</c> or <c>(get $id? "name")</c> action.</summary>
internal sealed record ScriptAction(bool IsGet, string? ModuleId, string Name, Value[] Args, int Line);

/// <summary>One command of a script with where it starts.</summary>
internal abstract class ScriptCommand(CommandKind kind, int line, int column)
{
    /// <summary>The command's kind.</summary>
    public CommandKind Kind { get; } = kind;

    /// <summary>1-based line of the command's opening parenthesis.</summary>
    public int Line { get; } = line;

    /// <summary>1-based column of the command's opening parenthesis.</summary>
    public int Column { get; } = column;

    /// <summary>The name of the kind as written in scripts (<c>module</c>, <c>assert_return</c>, ...).</summary>
    public string KindName => KindNames.Of(Kind);
}

/// <summary>Script names of the command kinds (used as keys in reports).</summary>
internal static class KindNames
{
    /// <summary>The script name of <paramref name="kind"/>.</summary>
    public static string Of(CommandKind kind) => kind switch
    {
        CommandKind.Module => "module",
        CommandKind.ModuleInstance => "module_instance",
        CommandKind.Register => "register",
        CommandKind.Invoke => "invoke",
        CommandKind.Get => "get",
        CommandKind.AssertReturn => "assert_return",
        CommandKind.AssertTrap => "assert_trap",
        CommandKind.AssertExhaustion => "assert_exhaustion",
        CommandKind.AssertException => "assert_exception",
        CommandKind.AssertMalformed => "assert_malformed",
        CommandKind.AssertInvalid => "assert_invalid",
        CommandKind.AssertUnlinkable => "assert_unlinkable",
        CommandKind.AssertUninstantiable => "assert_uninstantiable",
        CommandKind.AssertMalformedCustom => "assert_malformed_custom",
        CommandKind.AssertInvalidCustom => "assert_invalid_custom",
        _ => kind.ToString(),
    };
}

/// <summary>A module command: a text, binary or quote module, possibly a definition only.</summary>
internal sealed class ModuleCommand(ModuleForm form, int line, int column) : ScriptCommand(CommandKind.Module, line, column)
{
    /// <summary>The module as classified by the text parser.</summary>
    public ModuleForm Form { get; } = form;
}

/// <summary><c>(module instance $instance? $definition?)</c>.</summary>
internal sealed class ModuleInstanceCommand(string? instanceId, string? definitionId, int line, int column)
    : ScriptCommand(CommandKind.ModuleInstance, line, column)
{
    /// <summary>Name of the new instance, or null.</summary>
    public string? InstanceId { get; } = instanceId;

    /// <summary>Name of the definition to instantiate, or null for the latest module.</summary>
    public string? DefinitionId { get; } = definitionId;
}

/// <summary><c>(register "name" $id?)</c>.</summary>
internal sealed class RegisterCommand(string name, string? moduleId, int line, int column) : ScriptCommand(CommandKind.Register, line, column)
{
    /// <summary>The module name imports will use.</summary>
    public string Name { get; } = name;

    /// <summary>The instance to register, or null for the current one.</summary>
    public string? ModuleId { get; } = moduleId;
}

/// <summary>A top-level action, <c>assert_return</c>, <c>assert_exhaustion</c>, <c>assert_exception</c>, or <c>assert_trap</c> of an action.</summary>
internal sealed class ActionCommand(CommandKind kind, ScriptAction action, ExpectedResult[] expected, string? message, int line, int column)
    : ScriptCommand(kind, line, column)
{
    /// <summary>The action to perform.</summary>
    public ScriptAction Action { get; } = action;

    /// <summary>For <c>assert_return</c>: the expected results.</summary>
    public ExpectedResult[] Expected { get; } = expected;

    /// <summary>For <c>assert_trap</c>/<c>assert_exhaustion</c>: the expected message.</summary>
    public string? Message { get; } = message;
}

/// <summary>An assertion about a module: malformed, invalid, unlinkable, uninstantiable, or <c>assert_trap</c> of a module.</summary>
internal sealed class ModuleAssertCommand(CommandKind kind, ModuleForm module, string message, int line, int column)
    : ScriptCommand(kind, line, column)
{
    /// <summary>The module.</summary>
    public ModuleForm Module { get; } = module;

    /// <summary>The expected message.</summary>
    public string Message { get; } = message;
}

/// <summary>A parsed .wast script: its commands in order.</summary>
internal sealed class WastScript(List<ScriptCommand> commands)
{
    /// <summary>The commands in source order.</summary>
    public List<ScriptCommand> Commands { get; } = commands;
}
