using System.Text;
using System.Text.Json;
using Lab.Model.Text;

namespace Lab.Plan;

public enum ChangeKind
{
    Create,
    Update,
    Replace,
    Delete,
}

/// <summary>One input that differs, as the plan prints it on each side ("(none)" where a side lacks it).</summary>
public sealed record InputChange(string Input, string Before, string After);

/// <summary>What happens to one resource, why, and which remote command it runs on which machine (null: none).</summary>
public sealed record ResourceChange(ChangeKind Kind, PlannedResource Resource, IReadOnlyList<InputChange> Inputs, string? Cause, string? Runs, string? Machine);

/// <summary>
/// The offline counterpart of `pulumi preview --diff`: two plans of a stack compared resource by resource.
/// Whether a changed input updates or replaces follows each provider's own rules (see <see cref="ReplacedBy"/>).
/// </summary>
public static class PlanDiff
{
    private const string CommandType = "command:remote:Command";
    private const string KubernetesProvider = "pulumi:providers:kubernetes";

    public static IReadOnlyList<ResourceChange> Changes(IReadOnlyList<PlannedResource> before, IReadOnlyList<PlannedResource> after)
    {
        var old = before.ToDictionary(Identity);
        var current = after.Select(Identity).ToHashSet();
        var changes = new List<ResourceChange>();
        foreach (var resource in after)
        {
            if (!old.TryGetValue(Identity(resource), out var was))
            {
                changes.Add(new ResourceChange(ChangeKind.Create, resource, [], null, RunsOnCreate(resource), Machine(resource)));
                continue;
            }
            var inputs = ChangedInputs(was, resource);
            var replacing = inputs.Where(i => ReplacedBy(resource, i.Input)).Select(i => i.Input).ToList();
            // A resource on a replaced provider is replaced with it (a new cluster is a new place to create it).
            if (resource.Provider is { } provider && changes.Any(c => c.Kind == ChangeKind.Replace && c.Resource.Name == provider && c.Resource.Type.StartsWith("pulumi:providers:", StringComparison.Ordinal)))
            {
                replacing.Add($"provider {provider}");
            }
            var options = ChangedOptions(was, resource);
            if (replacing.Count > 0)
            {
                changes.Add(new ResourceChange(ChangeKind.Replace, resource, inputs, $"{string.Join(", ", replacing)} changed",
                    RunsOnCreate(resource) is { } run ? $"{run} on the replacement" + (DeleteCommand(was) is null ? "" : ", then its delete command on the old one") : null,
                    Machine(resource)));
            }
            else if (inputs.Count > 0)
            {
                // pulumi-command has no separate update command here: an update re-runs `create`.
                changes.Add(new ResourceChange(ChangeKind.Update, resource, inputs, $"{string.Join(", ", inputs.Select(i => i.Input.Split('.')[0]).Distinct())} changed",
                    resource.Type == CommandType ? "create again" : null, Machine(resource)));
            }
            else if (options.Count > 0)
            {
                changes.Add(new ResourceChange(ChangeKind.Update, resource, options, $"{string.Join(", ", options.Select(i => i.Input))} changed (state only)", null, null));
            }
        }
        foreach (var resource in before.Where(r => !current.Contains(Identity(r))))
        {
            var runs = resource.RetainOnDelete ? null : DeleteCommand(resource) is null ? null : "its delete command";
            changes.Add(new ResourceChange(ChangeKind.Delete, resource, [], resource.RetainOnDelete ? "retainOnDelete: left in place, dropped from state" : null, runs, runs is null ? null : Machine(resource)));
        }
        return changes;
    }

    /// <summary>
    /// Inputs whose change replaces rather than updates, per the providers' own sources: pulumi-command's SDK
    /// declares `replaceOnChanges: triggers[*]`; every input of a random resource and of an AppRole secret-id
    /// is RequiresReplace/ForceNew; a Kubernetes object's name and namespace are its identity; the
    /// Kubernetes provider is replaced when its clusterIdentifier changes. Anything else is an update.
    /// </summary>
    public static bool ReplacedBy(PlannedResource resource, string input) => resource.Type switch
    {
        CommandType => input == "triggers",
        KubernetesProvider => input == "clusterIdentifier",
        "vault:appRole/authBackendRoleSecretId:AuthBackendRoleSecretId" => true,
        var t when t.StartsWith("random:", StringComparison.Ordinal) => true,
        var t when t.StartsWith("kubernetes:", StringComparison.Ordinal) => input is "metadata.name" or "metadata.namespace",
        _ => false,
    };

    /// <summary>Where a resource lives across stacks and runs: its URN without the stack.</summary>
    private static string Identity(PlannedResource r) => r.Urn[(r.Urn.IndexOf("::", StringComparison.Ordinal) + 2)..];

    private static List<InputChange> ChangedInputs(PlannedResource was, PlannedResource now)
    {
        var changes = new List<InputChange>();
        foreach (var key in was.Inputs.Keys.Union(now.Inputs.Keys).Order(StringComparer.Ordinal))
        {
            // Secrets compare by their plaintext, as the engine compares them, and show masked.
            if (Same(was.Sent.GetValueOrDefault(key), now.Sent.GetValueOrDefault(key)))
            {
                continue;
            }
            var before = was.Inputs.GetValueOrDefault(key);
            var after = now.Inputs.GetValueOrDefault(key);
            // A structure (a Kubernetes object's metadata or spec): the paths that changed, e.g.
            // spec.template.spec.containers[0].image, so a reviewer sees the one field, not the whole spec twice.
            if (before is System.Collections.IDictionary && after is System.Collections.IDictionary)
            {
                var parts = new List<InputChange>();
                Paths(key, before, after, parts);
                changes.AddRange(parts.Count > 0 ? parts : [new InputChange(key, DeclaredInputs.Secret, DeclaredInputs.Secret)]);
                continue;
            }
            // A step's script: which of its inputs (data block values) changed, then its size and hash.
            if (before is string was1 && after is string now1 && ScriptData.Read(was1) is { IsEmpty: false } oldData && ScriptData.Read(now1) is { IsEmpty: false } newData)
            {
                var olds = oldData.ToDictionary(v => v.Name, v => v.Display);
                var news = newData.ToDictionary(v => v.Name, v => v.Display);
                foreach (var name in newData.Select(v => v.Name).Concat(oldData.Select(v => v.Name).Where(n => !news.ContainsKey(n))))
                {
                    var (o, n) = (olds.GetValueOrDefault(name), news.GetValueOrDefault(name));
                    if (o != n)
                    {
                        changes.Add(Items(o) is { } oldItems && Items(n) is { } newItems
                            // A list (packages, jobs): only the items that differ, so a version bump reads as one pin to another.
                            ? new InputChange($"{key}.{name}", Shown(string.Join(", ", oldItems.Except(newItems))), Shown(string.Join(", ", newItems.Except(oldItems))))
                            : new InputChange($"{key}.{name}", Shown(o), Shown(n)));
                    }
                }
                changes.Add(new InputChange(key, PlanPrinter.Size(was1), PlanPrinter.Size(now1)));
                continue;
            }
            changes.Add(new InputChange(key, Shown(before), Shown(after)));
        }
        return changes;
    }

    /// <summary>The leaves under PATH that differ: maps by key, lists of equal length by index, anything else whole.</summary>
    private static void Paths(string path, object? before, object? after, List<InputChange> changes)
    {
        if (Same(before, after))
        {
            return;
        }
        switch (before, after)
        {
            case (System.Collections.IDictionary b, System.Collections.IDictionary a):
                foreach (var key in b.Keys.Cast<object>().Concat(a.Keys.Cast<object>()).Select(k => k.ToString()!).Distinct().Order(StringComparer.Ordinal))
                {
                    Paths($"{path}.{key}", b.Contains(key) ? b[key] : null, a.Contains(key) ? a[key] : null, changes);
                }
                return;
            case (System.Collections.IList b, System.Collections.IList a) when b.Count == a.Count && b.Cast<object?>().Any(PlanPrinter.IsStructure):
                for (var i = 0; i < b.Count; i++)
                {
                    Paths($"{path}[{i}]", b[i], a[i], changes);
                }
                return;
            default:
                changes.Add(new InputChange(path, Shown(before), Shown(after)));
                return;
        }
    }

    private static List<InputChange> ChangedOptions(PlannedResource was, PlannedResource now)
    {
        var changes = new List<InputChange>();
        if (was.Protect != now.Protect)
        {
            changes.Add(new InputChange("protect", Flag(was.Protect), Flag(now.Protect)));
        }
        if (was.RetainOnDelete != now.RetainOnDelete)
        {
            changes.Add(new InputChange("retainOnDelete", Flag(was.RetainOnDelete), Flag(now.RetainOnDelete)));
        }
        return changes;
    }

    private static string Flag(bool value) => value ? "true" : "false";

    private static bool Same(object? a, object? b) =>
        JsonSerializer.Serialize(PlannedResource.Sorted(a)) == JsonSerializer.Serialize(PlannedResource.Sorted(b));

    private static string Shown(object? value) => value is null or "" ? "(none)" : PlanPrinter.Format(value);

    /// <summary>The items of a list value as the data block shows it ("[a, b]"); null for a scalar.</summary>
    private static string[]? Items(string? display) =>
        display is ['[', .., ']'] ? display[1..^1].Split(", ", StringSplitOptions.RemoveEmptyEntries) : null;

    private static string? RunsOnCreate(PlannedResource r) => r.Type == CommandType && r.Inputs.ContainsKey("create") ? "create" : null;

    private static object? DeleteCommand(PlannedResource r) => r.Type == CommandType ? r.Inputs.GetValueOrDefault("delete") : null;

    /// <summary>The host a remote command connects to.</summary>
    private static string? Machine(PlannedResource r) =>
        r.Type == CommandType && r.Inputs.GetValueOrDefault("connection") is System.Collections.IDictionary c && c.Contains("host") ? c["host"]?.ToString() : null;

    /// <summary>The diff as a reviewer reads it: grouped by what happens, the inputs that cause it, the remote steps that run, one summary line.</summary>
    /// <param name="machines">Host address → lab name (nodes and the NAS), to name the machines.</param>
    public static string Print(string baseLabel, string headLabel, IReadOnlyList<ResourceChange> changes, int unchanged, IReadOnlyDictionary<string, string> machines)
    {
        var text = new StringBuilder()
            .Append($"Changes from {baseLabel} to {headLabel} (offline: what `pulumi preview --diff` would show; the providers' own diff is the authority).\n");
        foreach (var (kind, heading, mark) in new[]
                 {
                     (ChangeKind.Create, "created", "+"), (ChangeKind.Update, "updated", "~"),
                     (ChangeKind.Replace, "replaced", "+-"), (ChangeKind.Delete, "deleted", "-"),
                 })
        {
            var group = changes.Where(c => c.Kind == kind).ToList();
            if (group.Count == 0)
            {
                continue;
            }
            text.Append($"\n{heading} ({group.Count}):\n");
            foreach (var change in group)
            {
                text.Append($"  {mark} {change.Resource.Type} {change.Resource.Name}");
                if (change.Cause is not null)
                {
                    text.Append($"  ({change.Cause})");
                }
                text.Append('\n');
                foreach (var input in change.Inputs)
                {
                    text.Append($"        {input.Input}: {input.Before} → {input.After}\n");
                }
            }
        }
        var runs = changes.Where(c => c.Runs is not null && c.Machine is not null).GroupBy(c => c.Machine!).OrderBy(g => Name(g.Key, machines), StringComparer.Ordinal).ToList();
        if (runs.Count > 0)
        {
            text.Append("\nremote steps that run:\n");
            foreach (var machine in runs)
            {
                text.Append($"  {Name(machine.Key, machines)}: ")
                    .Append(string.Join("; ", machine.Select(c => $"{c.Resource.Name} ({c.Kind.ToString().ToLowerInvariant()}: {c.Runs})")))
                    .Append('\n');
            }
        }
        var counts = new[] { (ChangeKind.Create, "to create"), (ChangeKind.Update, "to update"), (ChangeKind.Replace, "to replace"), (ChangeKind.Delete, "to delete") }
            .Select(k => (Count: changes.Count(c => c.Kind == k.Item1), Label: k.Item2)).Where(k => k.Count > 0).Select(k => $"{k.Count} {k.Label}")
            .Append($"{unchanged} unchanged");
        text.Append($"\n{string.Join(", ", counts)}; ")
            .Append(runs.Count == 0
                ? "no remote step runs.\n"
                : $"{runs.Sum(g => g.Count())} remote step(s) run on {string.Join(", ", runs.Select(g => Name(g.Key, machines)))}.\n");
        return text.ToString();
    }

    private static string Name(string host, IReadOnlyDictionary<string, string> machines) =>
        machines.TryGetValue(host, out var name) ? $"{name} ({host})" : host;
}
