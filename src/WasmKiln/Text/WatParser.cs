using WasmKiln.Binary;
using WasmKiln.Model;

namespace WasmKiln.Text;

/// <summary>How a <c>(module ...)</c> form of a script gives its module.</summary>
internal enum ModuleFormKind { Text, Binary, Quote }

/// <summary>A <c>(module ...)</c> form of a script: text fields, <c>binary</c> strings or <c>quote</c> strings.</summary>
internal sealed record ModuleForm(ModuleFormKind Kind, string? Id, bool IsDefinition, SList Source, byte[]? Binary, string? Quote);

/// <summary>
/// The WebAssembly text format parser: turns <c>(module ...)</c> S-expressions into a
/// <see cref="ModuleInfo"/> whose function bodies and constant expressions are in binary form,
/// so the same model feeds the validator, the printer and the encoder.
/// </summary>
internal static class WatParser
{
    /// <summary>Classifies a <c>(module ...)</c> list: <c>$id</c>, <c>definition</c>, <c>binary</c>/<c>quote</c> strings.</summary>
    public static ModuleForm ReadModuleForm(SList list)
    {
        var c = new WatCursor(list, 0, allowCustom: true);
        var head = c.NextAtom();
        if (!head.IsKeyword("module")) throw WatCursor.Unexpected(head);
        bool definition = c.TakeKeyword("definition");
        string? id = c.TakeId()?.Text;
        if (c.PeekKeyword("binary") || c.PeekKeyword("quote"))
        {
            bool binary = c.NextAtom().Text == "binary";
            var bytes = new List<byte>();
            while (!c.AtEnd) bytes.AddRange(c.NextString().Bytes!);
            var data = bytes.ToArray();
            return binary
                ? new ModuleForm(ModuleFormKind.Binary, id, definition, list, data, null)
                : new ModuleForm(ModuleFormKind.Quote, id, definition, list, null, QuoteText.Decode(data));
        }
        return new ModuleForm(ModuleFormKind.Text, id, definition, list, null, null);
    }

    /// <summary>Parses a text <c>(module ...)</c> list into a module. Throws <see cref="TextParseException"/>.</summary>
    public static ModuleInfo ParseModule(SList module, WasmFeatures features = WasmFeatures.All)
    {
        var form = ReadModuleForm(module);
        switch (form.Kind)
        {
            case ModuleFormKind.Binary:
                return ModuleDecoder.Decode(form.Binary!);
            case ModuleFormKind.Quote:
                return ParseText(form.Quote!, features);
        }
        // Skip the head keyword, `definition`, the $id and annotations around them.
        int start = 0;
        bool seenHead = false;
        while (start < module.Count)
        {
            var e = module[start];
            if (e is SList { IsAnnotation: true } ann && ann.Annotation is not ("custom" or "name" or WatModuleParser.BranchHintAnnotation)) { start++; continue; }
            if (!seenHead && e is SAtom h && h.IsKeyword("module")) { seenHead = true; start++; continue; }
            if (seenHead && e is SAtom a && (a.IsKeyword("definition") || a.Kind == AtomKind.Id)) { start++; continue; }
            break;
        }
        var parser = new WatModuleParser(module, start) { Features = features };
        if (form.Id != null) parser.ModuleName = form.Id;
        return parser.Parse();
    }

    /// <summary>Parses a whole .wat text: one <c>(module ...)</c>, or bare module fields.</summary>
    public static ModuleInfo ParseText(string text, WasmFeatures features = WasmFeatures.All)
    {
        var top = SExprParser.Parse(text);
        int modules = 0;
        SList? module = null;
        foreach (var e in top)
        {
            if (e is SList { IsAnnotation: false } l && l.Head == "module")
            {
                modules++;
                module = l;
            }
        }
        if (modules == 1 && CountNonAnnotations(top) == 1) return ParseModule(module!, features);
        if (modules > 0)
        {
            foreach (var e in top)
                if (e is SList { IsAnnotation: false } l && l.Head == "module" && (modules > 1 || CountNonAnnotations(top) > 1))
                    throw WatCursor.Unexpected(l);
        }
        // Bare module fields: wrap them in a synthetic module list.
        var wrapper = new SList(1, 1) { StartIndex = 0 };
        foreach (var e in top) wrapper.Items.Add(e);
        var last = top.Count > 0 ? top[^1] : null;
        wrapper.EndLine = last is SList ll ? ll.EndLine : last?.Line ?? 1;
        wrapper.EndColumn = last is SList lc ? lc.EndColumn : last?.Column ?? 1;
        wrapper.EndIndex = text.Length;
        return new WatModuleParser(wrapper, 0) { Features = features }.Parse();
    }

    private static int CountNonAnnotations(List<SExpr> items)
    {
        int n = 0;
        foreach (var e in items)
            if (e is not SList { IsAnnotation: true }) n++;
        return n;
    }
}
