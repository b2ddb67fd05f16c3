using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Reflection;
using Pulumi;
using Pulumi.Utilities;

namespace Lab.Plan;

/// <summary>
/// A resource's inputs read from the args it was declared with, as `pulumi preview` shows them: every
/// known value in place, each value that waits on an apply as <see cref="Unknown"/>, each secret as
/// <see cref="Secret"/>. The mock monitor cannot do this: it drops a whole property when anything nested
/// in it is unknown, so a Job whose image waits on a digest would show no spec at all.
/// </summary>
public static class DeclaredInputs
{
    public const string Unknown = "[unknown]";
    public const string Secret = "[secret]";

    // Reflection once per type: the [Input] members of an args class, and how to resolve an Output<T>.
    private static readonly ConcurrentDictionary<Type, ImmutableArray<(string Name, bool Json, Func<object, object?> Get)>> Members = new();
    private static readonly ConcurrentDictionary<Type, Func<object, Task<Resolved>>?> Resolvers = new();

    // Whether a type is a provider's enum: read once per type (a custom attribute lookup allocates every time).
    private static readonly ConcurrentDictionary<Type, bool> EnumTypes = new();

    private sealed record Resolved(bool Known, bool IsSecret, object? Value, ImmutableArray<string> From);

    /// <summary>An unknown value, with the resources whose outputs it waits on (the build step of an image digest).</summary>
    public static string UnknownFrom(IReadOnlyCollection<string> from) =>
        from.Count == 0 ? Unknown
        : from.Count <= 3 ? $"[unknown until applied: {string.Join(", ", from)}]"
        : $"[unknown until applied: {string.Join(", ", from.Take(3))} and {from.Count - 3} more]";

    /// <summary>
    /// The args' inputs by their Pulumi names, twice: as shown (each secret masked) and as sent (secrets in
    /// plaintext, for change detection and tests only: never printed). Unset ones are left out, as the engine
    /// leaves them out. Where nothing in a value is secret, both are the same object.
    /// </summary>
    public static ValueTask<(ImmutableDictionary<string, object> Shown, ImmutableDictionary<string, object> Sent)> ReadAsync(InputArgs args) =>
        FieldsAsync(MembersOf(args.GetType()).Select(m => (m.Name, m.Json, m.Get(args))));

    // ValueTasks: most values are plain and complete at once, and a Task of a tuple is never a cached one.
    private static async ValueTask<(ImmutableDictionary<string, object> Shown, ImmutableDictionary<string, object> Sent)> FieldsAsync(IEnumerable<(string Name, bool Json, object? Value)> fields)
    {
        var shown = ImmutableDictionary.CreateBuilder<string, object>(StringComparer.Ordinal);
        var sent = ImmutableDictionary.CreateBuilder<string, object>(StringComparer.Ordinal);
        var same = true;
        foreach (var (name, json, field) in fields)
        {
            var (show, send) = await ValueAsync(field);
            if (json && send is not null && !(send is string text && text.StartsWith(Unknown[..^1], StringComparison.Ordinal)))
            {
                // A [Input(json: true)] member (a provider's non-string settings) reaches the engine as JSON text.
                var sendJson = System.Text.Json.JsonSerializer.Serialize(send);
                (show, send) = (ReferenceEquals(show, send) ? sendJson : System.Text.Json.JsonSerializer.Serialize(show), sendJson);
            }
            if (send is not null)
            {
                shown[name] = show!;
                sent[name] = send;
                same &= ReferenceEquals(show, send);
            }
        }
        var shownMap = shown.ToImmutable();
        return (shownMap, same ? shownMap : sent.ToImmutable());
    }

    private static async ValueTask<(object? Shown, object? Sent)> ValueAsync(object? value)
    {
        switch (value)
        {
            case null:
                return (null, null);
            case string or bool or int or long or double:
                return (value, value);
            case InputArgs args:
                return await ReadAsync(args);
            case Resource resource:
            {
                var name = resource.GetResourceName();
                return (name, name);
            }
        }
        var type = value.GetType();
        if (ResolverOf(type) is { } resolve)
        {
            var resolved = await resolve(value);
            if (!resolved.Known)
            {
                var unknown = UnknownFrom(resolved.From);
                return (unknown, unknown);
            }
            var inner = await ValueAsync(resolved.Value);
            // A provider may mark a whole args object secret in its schema (pulumi-command's connection): show its
            // fields, each secret one masked on its own (the private key), since host, port and host key are what a
            // reviewer checks. Any other secret shows as [secret] whole.
            return resolved.IsSecret && resolved.Value is not InputArgs && inner.Sent is not null ? (Secret, inner.Sent) : inner;
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Union<,>))
        {
            return await ValueAsync(type.GetProperty(nameof(Union<int, int>.Value))!.GetValue(value));
        }
        if (EnumTypes.GetOrAdd(type, static t => t.GetCustomAttribute<EnumTypeAttribute>() is not null))
        {
            var text = value.ToString();
            return (text, text);
        }
        switch (value)
        {
            case IDictionary map:
                return await FieldsAsync(map.Keys.Cast<object>().Select(k => (k.ToString()!, false, map[k])));
            case IEnumerable list:
            {
                var shown = ImmutableArray.CreateBuilder<object?>();
                var sent = ImmutableArray.CreateBuilder<object?>();
                var same = true;
                foreach (var element in list)
                {
                    var (show, send) = await ValueAsync(element);
                    shown.Add(show);
                    sent.Add(send);
                    same &= ReferenceEquals(show, send);
                }
                var shownList = shown.ToImmutable();
                return (shownList, same ? shownList : sent.ToImmutable());
            }
            case IConvertible convertible:
            {
                object number = convertible.ToDouble(System.Globalization.CultureInfo.InvariantCulture);
                return (number, number);
            }
            default:
                throw new InvalidOperationException($"the plan cannot show an input of type {type}");
        }
    }

    private static ImmutableArray<(string Name, bool Json, Func<object, object?> Get)> MembersOf(Type type) => Members.GetOrAdd(type, t =>
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance;
        var members = new List<(string, bool, Func<object, object?>)>();
        for (var declaring = t; declaring is not null && declaring != typeof(InputArgs); declaring = declaring.BaseType)
        {
            // Each level's own members, as InputArgs collects them (a derived class's [Input] on a new member wins).
            var flags = all | BindingFlags.DeclaredOnly;
            members.AddRange(declaring.GetFields(flags).Where(f => Input(f) is not null).Select(f => (Input(f)!.Value.Name, Input(f)!.Value.Json, (Func<object, object?>)f.GetValue)));
            members.AddRange(declaring.GetProperties(flags).Where(p => Input(p) is not null).Select(p => (Input(p)!.Value.Name, Input(p)!.Value.Json, (Func<object, object?>)p.GetValue)));
        }
        return members.DistinctBy(m => m.Item1).ToImmutableArray();
    });

    /// <summary>The Pulumi name an [Input] member is sent under, and whether as JSON (the attribute keeps both internal: read its constructor arguments).</summary>
    private static (string Name, bool Json)? Input(MemberInfo member) =>
        member.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType == typeof(InputAttribute)) is { } input
            ? ((string)input.ConstructorArguments[0].Value!, input.ConstructorArguments.Count > 2 && input.ConstructorArguments[2].Value is true)
            : null;

    /// <summary>For an Output&lt;T&gt; or an Input&lt;T&gt; (InputList and InputMap are Inputs too): how to read it.</summary>
    private static Func<object, Task<Resolved>>? ResolverOf(Type type) => Resolvers.GetOrAdd(type, t =>
    {
        for (var level = t; level is not null; level = level.BaseType)
        {
            if (level.IsGenericType && (level.GetGenericTypeDefinition() == typeof(Output<>) || level.GetGenericTypeDefinition() == typeof(Input<>)))
            {
                var method = typeof(DeclaredInputs).GetMethod(level.GetGenericTypeDefinition() == typeof(Output<>) ? nameof(ResolveOutputAsync) : nameof(ResolveInputAsync),
                    BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(level.GetGenericArguments()[0]);
                return method.CreateDelegate<Func<object, Task<Resolved>>>();
            }
        }
        return null;
    });

    private static Task<Resolved> ResolveInputAsync<T>(object input) => ResolveOutputAsync<T>(((Input<T>)input).ToOutput());

    private static async Task<Resolved> ResolveOutputAsync<T>(object value)
    {
        var output = (Output<T>)value;
        var known = await OutputUtilities.GetIsKnownAsync(output);
        var from = known ? [] : (await OutputUtilities.GetDependenciesAsync(output)).Select(r => r.GetResourceName()).Order(StringComparer.Ordinal).ToImmutableArray();
        return new Resolved(known, await Output.IsSecretAsync(output), known ? await OutputUtilities.GetValueAsync(output) : null, from);
    }
}
