using WasmKiln.Model;
using WasmKiln.Validation;

namespace WasmKiln.Runtime.Exceptions;

/// <summary>
/// A tag of the store. Tags are compared by identity: an exception is caught by a handler for
/// tag T only when it was thrown with this very object (an imported or re-exported tag is the
/// same object; two definitions of the same type are different tags).
/// </summary>
internal sealed class TagInstance : ITagIdentity
{
    /// <summary>A new tag whose function type has canonical id <paramref name="typeId"/>.</summary>
    public TagInstance(int typeId)
    {
        TypeId = typeId;
        Type = TypeRegistry.Get(typeId).Type;
    }

    /// <summary>Canonical type id of the tag's function type.</summary>
    public int TypeId { get; }

    /// <summary>The tag's function type (heap types are canonical ids).</summary>
    public CompositeType Type { get; }

    /// <summary>The types of the exception payload (the function type's parameters).</summary>
    public ValType[] Params => Type.Params;

    /// <inheritdoc/>
    public override string ToString() => "tag";
}
