using WasmKiln.Model;
using WasmKiln.Runtime;
using WasmKiln.Runtime.Exceptions;

namespace WasmKiln.Engines.Interpreter;

using Instance = WasmKiln.Runtime.Instance;

/// <summary>
/// Exception handlers. A throw builds (or takes) the exception object and unwinds inside the
/// interpreter: the try regions of the current function (innermost first), then the caller's at
/// its call instruction, and so on; when the entry frame is left the exception continues as a
/// .NET <see cref="WasmThrow"/> to the caller of the interpreter.
/// </summary>
internal static unsafe partial class Handlers
{
    /// <summary>The exception being delivered to a catch pad.</summary>
    [ThreadStatic] private static WasmExceptionObject? t_delivered;
    /// <summary>Exceptions caught by legacy catch clauses (for rethrow), by frame depth and try.</summary>
    [ThreadStatic] private static Dictionary<long, WasmExceptionObject>? t_caught;

    /// <summary>throw of tag B with the payload from slot A on.</summary>
    public static Inst* ExnThrow(Inst* ip, ref Machine m)
    {
        var tag = (TagInstance)m.Instance.Tags[ip->B];
        var ps = tag.Params;
        var payload = ps.Length == 0 ? [] : new Value[ps.Length];
        int s = ip->A;
        ulong* fp = m.Fp;
        for (int i = 0; i < ps.Length; i++)
        {
            var t = ps[i];
            ulong* p = fp + s;
            payload[i] = t.Kind switch
            {
                ValKind.I32 => Value.I32(*(int*)p),
                ValKind.I64 => Value.I64(*(long*)p),
                ValKind.F32 => Value.F32Bits(*(uint*)p),
                ValKind.F64 => Value.F64Bits(*p),
                ValKind.V128 => Value.V128(new Instructions.V128(p[0], p[1])),
                _ => Value.Reference(t, m.Refs[m.FpIndex + s]),
            };
            s += Interpreter.SlotSize(t);
        }
        return Unwind(ip, ref m, new WasmExceptionObject(tag, payload));
    }

    /// <summary>throw_ref of the exnref in slot B (null traps).</summary>
    public static Inst* ExnThrowRef(Inst* ip, ref Machine m)
    {
        var exn = m.Refs[m.FpIndex + ip->B];
        if (exn is null) Trap.NullReference();
        return Unwind(ip, ref m, (WasmExceptionObject)exn);
    }

    /// <summary>rethrow of the exception caught by legacy try B of this frame.</summary>
    public static Inst* ExnRethrow(Inst* ip, ref Machine m)
    {
        var exn = t_caught![CaughtKey(ref m, ip->B)];
        return Unwind(ip, ref m, exn);
    }

    /// <summary>try_table catch pad: payload (B bit 0) and exnref (B bit 1) of the delivered exception to slots from A.</summary>
    public static Inst* ExnCatch(Inst* ip, ref Machine m)
    {
        var exn = t_delivered!;
        t_delivered = null;
        int s = ip->A;
        if ((ip->B & 1) != 0) s = WritePayload(ref m, s, exn);
        if ((ip->B & 2) != 0) m.Refs[m.FpIndex + s] = exn;
        return ip + 1;
    }

    /// <summary>Legacy catch pad: payload (when B != 0) to slots from A; remembers the exception for rethrow under try C.</summary>
    public static Inst* ExnCatchLegacy(Inst* ip, ref Machine m)
    {
        var exn = t_delivered!;
        t_delivered = null;
        if (ip->B != 0) WritePayload(ref m, ip->A, exn);
        (t_caught ??= [])[CaughtKey(ref m, ip->C)] = exn;
        return ip + 1;
    }

    private static long CaughtKey(ref Machine m, int tryKey) => ((long)m.T.FrameCount << 32) | (uint)tryKey;

    private static int WritePayload(ref Machine m, int s, WasmExceptionObject exn)
    {
        var ps = exn.Tag.Params;
        var payload = exn.Payload;
        ulong* fp = m.Fp;
        for (int i = 0; i < ps.Length; i++)
        {
            var t = ps[i];
            ref readonly var v = ref payload[i];
            switch (t.Kind)
            {
                case ValKind.I32: case ValKind.F32: fp[s] = (uint)v.Lo; break;
                case ValKind.I64: case ValKind.F64: fp[s] = v.Lo; break;
                case ValKind.V128: fp[s] = v.Lo; fp[s + 1] = v.Hi; break;
                default: m.Refs[m.FpIndex + s] = v.Ref; break;
            }
            s += Interpreter.SlotSize(t);
        }
        return s;
    }

    /// <summary>
    /// Finds the catch pad for <paramref name="exn"/> thrown at <paramref name="ip"/>, leaving
    /// frames as needed; throws <see cref="WasmThrow"/> when the entry frame has no handler.
    /// </summary>
    internal static Inst* Unwind(Inst* ip, ref Machine m, WasmExceptionObject exn)
    {
        var t = m.T;
        while (true)
        {
            var lf = m.Func;
            var regions = lf.CatchRegions;
            if (regions != null)
            {
                int idx = (int)(ip - lf.Code);
                int maxDepth = int.MaxValue;
                for (int r = 0; r < regions.Length; r++)
                {
                    var reg = regions[r];
                    if (idx < reg.Start || idx >= reg.End || reg.Depth > maxDepth) continue;
                    if (reg.DelegateDepth >= 0)
                    {
                        // Handled as if thrown just inside the target label: restart with the regions around it.
                        idx = reg.Start;
                        maxDepth = reg.DelegateDepth;
                        r = -1;
                        continue;
                    }
                    foreach (var c in reg.Catches)
                    {
                        if (c.Tag < 0 || ReferenceEquals(m.Instance.Tags[c.Tag], exn.Tag))
                        {
                            t_delivered = exn;
                            return lf.Code + c.Pad;
                        }
                    }
                }
            }
            if (t.Frames[t.FrameCount - 1].ReturnIp == null) throw new WasmThrow(exn);
            ip = Interpreter.Leave(ref m) - 1;
        }
    }
}
