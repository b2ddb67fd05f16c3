using System.Collections.Concurrent;
using System.Collections.Immutable;
using Pulumi;
using Pulumi.Testing;

namespace Lab.Plan;

/// <summary>
/// Records what the program registers. Outputs a resource only gets from the real world
/// (a command's stdout, a generated id) stay unknown, as in `pulumi preview`, and show as
/// <see cref="DeclaredInputs.Unknown"/> in place. Tests may answer them through <see cref="Answer"/>.
/// </summary>
public class PlanMocks : IMocks
{
    private readonly ConcurrentDictionary<string, (ImmutableDictionary<string, object> Shown, ImmutableDictionary<string, object> Sent)> _inputs = new();
    private readonly ConcurrentDictionary<string, (Resource? Parent, bool Protect, bool Retain, string? Provider, ImmutableArray<string> SecretOutputs, string? CreateTimeout, int Order)> _options = new();
    private readonly ConcurrentDictionary<string, ImmutableArray<string>> _dependsOn = new();
    private readonly ConcurrentDictionary<string, ResourceArgs> _args = new();
    private readonly ConcurrentDictionary<string, Resource> _declared = new();
    private int _order;

    /// <summary>Extra outputs for a resource, as the provider would return them after create.</summary>
    protected virtual ImmutableDictionary<string, object> Answer(MockResourceArgs args) => ImmutableDictionary<string, object>.Empty;

    public async Task<(string? id, object state)> NewResourceAsync(MockResourceArgs args)
    {
        // What the plan shows comes from the declared args (known values kept beside unknown ones);
        // the provider's answer, as the mock monitor passes it on, stays what dependants read.
        var key = $"{args.Type}::{args.Name}";
        _inputs[key] = _declared.GetValueOrDefault(key) is CustomResource && _args.TryGetValue(key, out var declared)
            ? await DeclaredInputs.ReadAsync(declared)
            : (args.Inputs, args.Inputs);
        return ($"{args.Name}-id", Echoed(args.Type) ? args.Inputs.SetItems(Answer(args)) : Answer(args));
    }

    /// <summary>
    /// Whether a resource's outputs include its inputs, as a preview's would. Only what dependants read is handed
    /// back (the SDK serializes and deserializes every output of every resource): Vault's names and paths are; what
    /// the program reads of a command is only what it printed (the answer), and nothing of a Kubernetes object.
    /// </summary>
    private static bool Echoed(string? type) => type?.Split(':')[0] is not ("command" or "kubernetes");

    public Task<object> CallAsync(MockCallArgs args) =>
        throw new InvalidOperationException($"the lab program called {args.Token} during planning; plans must not read live state.");

    /// <summary>The stack options that let the plan see each resource's parent and options.</summary>
    public StackOptions StackOptions() => new()
    {
        ResourceTransformations =
        {
            args =>
            {
                if (args.Resource is Stack)
                {
                    return null;
                }
                var key = $"{args.Resource.GetResourceType()}::{args.Resource.GetResourceName()}";
                _args[key] = args.Args;
                _declared[key] = args.Resource;
                var secretOutputs = (args.Options as CustomResourceOptions)?.AdditionalSecretOutputs.Order(StringComparer.Ordinal).ToImmutableArray() ?? [];
                var timeout = args.Options.CustomTimeouts?.Create is { } create ? Lab.Model.Text.Duration.Format((int)create.TotalSeconds) : null;
                _options[key] = (args.Options.Parent, args.Options.Protect ?? false, args.Options.RetainOnDelete ?? false,
                    args.Options.Provider?.GetResourceName(), secretOutputs, timeout, Interlocked.Increment(ref _order));
                args.Options.DependsOn.ToOutput().Apply(list =>
                {
                    _dependsOn[key] = list.Select(r => r.GetResourceName()).ToImmutableArray();
                    return 0;
                });
                return null;
            },
        },
    };

    /// <summary>The args a resource was declared with (secret-ness intact, unlike the mock's inputs).</summary>
    public ResourceArgs ArgsOf(string type, string name) => _args[$"{type}::{name}"];

    /// <summary>The resource object the program declared, to read its outputs.</summary>
    public Resource Declared(string type, string name) => _declared[$"{type}::{name}"];

    /// <summary>The URN Pulumi gives a resource: its ancestors' types (not the stack's) joined by '$', then its name.</summary>
    private string UrnOf(string key, string stack, string project)
    {
        var types = new List<string>();
        for (var resource = _declared[key]; resource is not null and not Stack; resource = _options[Key(resource)].Parent)
        {
            types.Insert(0, resource.GetResourceType());
        }
        return $"urn:pulumi:{stack}::{project}::{string.Join('$', types)}::{_declared[key].GetResourceName()}";
    }

    private static string Key(Resource resource) => $"{resource.GetResourceType()}::{resource.GetResourceName()}";

    /// <summary>Every registered resource in the order the program declared it.</summary>
    public IReadOnlyList<PlannedResource> Resources(string stack = "", string project = "") =>
        _options.OrderBy(o => o.Value.Order).Select(o =>
        {
            var (parent, protect, retain, provider, secretOutputs, timeout, _) = o.Value;
            var separator = o.Key.LastIndexOf("::", StringComparison.Ordinal);
            var (shown, sent) = _inputs.TryGetValue(o.Key, out var i) ? i : (ImmutableDictionary<string, object>.Empty, ImmutableDictionary<string, object>.Empty);
            return new PlannedResource(
                o.Key[..separator], o.Key[(separator + 2)..],
                parent is null or Stack ? null : parent.GetResourceType(),
                parent is null or Stack ? null : parent.GetResourceName(),
                shown.ToImmutableSortedDictionary(StringComparer.Ordinal),
                protect, retain,
                _dependsOn.GetValueOrDefault(o.Key, []),
                provider,
                secretOutputs,
                UrnOf(o.Key, stack, project),
                timeout)
            { Sent = sent };
        }).ToList();
}
