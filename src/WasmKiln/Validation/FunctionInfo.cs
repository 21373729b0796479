using WasmKiln.Model;

namespace WasmKiln.Validation;

/// <summary>
/// A structured control instruction of a function body (block, loop, if, try, try_table) with
/// where its parts are. Offsets are absolute byte offsets in the module (as
/// <see cref="Instructions.Instruction.Offset"/>). Entries of <see cref="FunctionInfo.Blocks"/>
/// are in the order the blocks start, so an engine can walk them with a cursor.
/// </summary>
/// <param name="Start">Offset of the block, loop, if, try or try_table opcode.</param>
/// <param name="Else">Offset of the <c>else</c> of an if, or of the first <c>catch</c>,
/// <c>catch_all</c> or <c>delegate</c> of a legacy try; -1 when there is none.</param>
/// <param name="End">Offset of the matching <c>end</c> (or of the <c>delegate</c> closing a try).</param>
/// <param name="Height">Operand stack height (in values, relative to the function's frame) below the
/// block's parameters when it is entered: a branch to the block keeps this many values plus the label's arity.</param>
internal readonly record struct BlockTarget(int Start, int Else, int End, int Height);

/// <summary>A <c>catch</c> or <c>catch_all</c> clause of a legacy <c>try</c>.</summary>
/// <param name="Block">Index in <see cref="FunctionInfo.Blocks"/> of the try.</param>
/// <param name="Offset">Offset of the catch or catch_all opcode.</param>
internal readonly record struct HandlerTarget(int Block, int Offset);

/// <summary>What validation learned about one defined function, for the engines.</summary>
internal sealed class FunctionInfo
{
    public FunctionInfo(uint funcIndex, uint typeIndex, int canonicalTypeId, ValType[] locals, int paramCount,
        int maxStackHeight, int maxControlDepth, int codeStart, int codeEnd, BlockTarget[] blocks, HandlerTarget[] handlers)
    {
        FuncIndex = funcIndex;
        TypeIndex = typeIndex;
        CanonicalTypeId = canonicalTypeId;
        Locals = locals;
        ParamCount = paramCount;
        MaxStackHeight = maxStackHeight;
        MaxControlDepth = maxControlDepth;
        CodeStart = codeStart;
        CodeEnd = codeEnd;
        Blocks = blocks;
        Handlers = handlers;
    }

    /// <summary>Index of the function in the function index space (imports first).</summary>
    public uint FuncIndex { get; }
    /// <summary>The function's type index in the module.</summary>
    public uint TypeIndex { get; }
    /// <summary>Canonical id of the function's type.</summary>
    public int CanonicalTypeId { get; }
    /// <summary>Types of all locals: parameters then declared locals. Heap type indices are canonical ids.</summary>
    public ValType[] Locals { get; }
    /// <summary>How many of <see cref="Locals"/> are parameters.</summary>
    public int ParamCount { get; }
    /// <summary>Most operand stack values live at once (in values, not counting locals).</summary>
    public int MaxStackHeight { get; }
    /// <summary>Deepest nesting of control frames, the function's own frame counted.</summary>
    public int MaxControlDepth { get; }
    /// <summary>Absolute offset of the first instruction (after the local declarations).</summary>
    public int CodeStart { get; }
    /// <summary>Absolute offset just past the final <c>end</c>.</summary>
    public int CodeEnd { get; }
    /// <summary>Every structured block in order of its start; see <see cref="BlockTarget"/>.</summary>
    public BlockTarget[] Blocks { get; }

    /// <summary>Every catch and catch_all clause of legacy try blocks, in code order.</summary>
    public HandlerTarget[] Handlers { get; }

    /// <summary>Finds the block starting at <paramref name="startOffset"/> (binary search), or -1.</summary>
    public int FindBlock(int startOffset)
    {
        int lo = 0, hi = Blocks.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            int s = Blocks[mid].Start;
            if (s == startOffset) return mid;
            if (s < startOffset) lo = mid + 1; else hi = mid - 1;
        }
        return -1;
    }
}
