using WasmKiln.Model;

namespace WasmKiln.Binary;

/// <summary>
/// Reads the local declarations at the start of a <see cref="FunctionBody"/>; the instructions
/// that follow are then read with <see cref="Instructions.InstructionReader"/>.
/// Shared by the validator, the printer and the engines.
/// </summary>
internal static class FunctionBodyReader
{
    /// <summary>Most locals (declared, not counting parameters) one function may have.</summary>
    public const int MaxLocals = 50_000;

    /// <summary>
    /// Reads the declared locals of <paramref name="body"/> (parameters not included) and returns
    /// them expanded one entry per local; <paramref name="codeStart"/> is the position in
    /// <see cref="FunctionBody.Bytes"/> where the instructions begin.
    /// Throws <see cref="MalformedModuleException"/> ("too many locals", bad types, truncation).
    /// </summary>
    public static ValType[] ReadLocals(FunctionBody body, out int codeStart)
    {
        var groups = ReadLocalGroups(body, out codeStart);
        int total = 0;
        foreach (var (count, _) in groups) total += (int)count;
        var locals = new ValType[total];
        int i = 0;
        foreach (var (count, type) in groups)
            for (uint k = 0; k < count; k++) locals[i++] = type;
        return locals;
    }

    /// <summary>Reads the local declarations as written: (count, type) groups.</summary>
    public static (uint Count, ValType Type)[] ReadLocalGroups(FunctionBody body, out int codeStart)
    {
        var r = new WasmReader(body.Bytes.Span, body.Offset);
        uint groups = r.ReadU32();
        var result = new List<(uint, ValType)>();
        long total = 0;
        for (uint g = 0; g < groups; g++)
        {
            int at = r.Offset;
            uint n = r.ReadU32();
            total += n;
            if (total > MaxLocals) throw new MalformedModuleException("too many locals", at);
            result.Add((n, TypeCodec.ReadValType(ref r)));
        }
        codeStart = r.Position;
        return result.ToArray();
    }
}
