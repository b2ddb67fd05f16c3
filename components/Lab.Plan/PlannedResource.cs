using System.Collections.Immutable;
using System.Text.Json;

namespace Lab.Plan;

/// <summary>One resource the program would create, with the inputs and options Pulumi would send.</summary>
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
    ImmutableArray<string> SecretOutputs)
{
    public string Key => $"{Type}::{Name}";

    /// <summary>Everything Pulumi would diff, as one string: equal strings mean no change.</summary>
    public string Canonical() => JsonSerializer.Serialize(new
    {
        Type, Name, ParentType, ParentName, Inputs, Protect, RetainOnDelete, DependsOn, Provider, SecretOutputs,
    });
}
