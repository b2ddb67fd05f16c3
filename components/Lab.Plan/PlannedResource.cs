using System.Collections.Immutable;
using System.Text.Json;

namespace Lab.Plan;

/// <summary>One resource the program would create, with the inputs and options Pulumi would send.</summary>
/// <param name="Inputs">The inputs as a reviewer sees them: secrets as [secret], values known once applied as [unknown ...].</param>
/// <param name="CreateTimeout">The create (and update) timeout the engine hands the provider, e.g. 15m; null: none.</param>
public sealed record PlannedResource(
    string Type,
    string Name,
    string? ParentType,
    string? ParentName,
    ImmutableSortedDictionary<string, object> Inputs,
    bool Protect,
    bool RetainOnDelete,
    ImmutableArray<string> DependsOn,
    string? Provider,
    ImmutableArray<string> SecretOutputs,
    string Urn,
    string? CreateTimeout = null)
{
    public string Key => $"{Type}::{Name}";

    /// <summary>
    /// The inputs as the provider receives them: secrets in plaintext. Only for telling a changed secret from an
    /// unchanged one (the engine compares plaintext too) and for tests; never printed. Defaults to <see cref="Inputs"/>.
    /// </summary>
    public IReadOnlyDictionary<string, object> Sent { get => _sent ?? Inputs; init => _sent = value; }

    private readonly IReadOnlyDictionary<string, object>? _sent;

    /// <summary>Everything Pulumi would diff, as one string: equal strings mean no change (custom timeouts are not diffed).</summary>
    public string Canonical() => JsonSerializer.Serialize(new
    {
        Type, Name, ParentType, ParentName, Inputs = Sorted(Sent), Protect, RetainOnDelete, DependsOn, Provider, SecretOutputs,
    });

    /// <summary>Nested maps with their keys in order, so equal inputs always serialize alike.</summary>
    public static object? Sorted(object? value) => value switch
    {
        System.Collections.IDictionary d => d.Keys.Cast<object>().Select(k => k.ToString()!).Order(StringComparer.Ordinal)
            .ToDictionary(k => k, k => Sorted(d[k])),
        string s => s,
        System.Collections.IEnumerable e => e.Cast<object?>().Select(Sorted).ToList(),
        _ => value,
    };
}
