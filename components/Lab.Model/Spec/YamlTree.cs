using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Lab.Model.Spec;

internal abstract record YNode;

internal sealed record YScalar(string Value, bool Plain) : YNode;

internal sealed record YSeq(IReadOnlyList<YNode> Items) : YNode;

internal sealed record YMap(IReadOnlyList<(string Key, YNode Value)> Entries) : YNode
{
    public YNode? Get(string key) => Entries.FirstOrDefault(e => e.Key == key).Value;
}

/// <summary>
/// Reads a stack file's YAML as plain data, treating it as hostile: one document; no anchors, aliases or tags
/// (an alias bomb is refused at its first alias, not expanded); keys are scalars and unique; nesting and size
/// are bounded. Each refusal names where in the file it happened.
/// </summary>
internal static class YamlTree
{
    public sealed class Refused(string key, string problem, string fix) : Exception(problem)
    {
        public string Key { get; } = key;
        public string Problem { get; } = problem;
        public string Fix { get; } = fix;
    }

    public static YNode? Read(string yaml)
    {
        if (yaml.Length > StackFile.MaxFileChars)
        {
            throw new Refused("", $"is {yaml.Length} characters long; a stack file is a page of settings, at most {StackFile.MaxFileChars}.", "restore the stack file from git.");
        }
        var parser = new Parser(new StringReader(yaml));
        parser.Consume<StreamStart>();
        if (parser.TryConsume<StreamEnd>(out _))
        {
            return null;
        }
        parser.Consume<DocumentStart>();
        var root = Node(parser, "", 0);
        parser.Consume<DocumentEnd>();
        if (!parser.TryConsume<StreamEnd>(out _))
        {
            throw new Refused("", "holds more than one YAML document.", "keep one document: remove every line from the second '---' on.");
        }
        return root;
    }

    private static YNode Node(IParser parser, string at, int depth)
    {
        if (depth > StackFile.MaxDepth)
        {
            throw new Refused(at, $"nests deeper than {StackFile.MaxDepth} levels.", "no lab setting nests that deep: restore the stack file from git.");
        }
        var current = parser.Current ?? throw new Refused(at, "ends early.", "complete the YAML.");
        if (current is AnchorAlias)
        {
            throw new Refused(at, "uses a YAML alias (*name).", "write the value out in full: stack files may not use anchors or aliases.");
        }
        if (current is NodeEvent { Anchor.IsEmpty: false })
        {
            throw new Refused(at, "defines a YAML anchor (&name).", "remove the anchor: stack files may not use anchors or aliases.");
        }
        if (current is NodeEvent { Tag.IsEmpty: false })
        {
            throw new Refused(at, "has a YAML tag (!tag).", "remove the tag: values are plain text, numbers, booleans, lists and mappings.");
        }
        switch (current)
        {
            case Scalar scalar:
                parser.MoveNext();
                return new YScalar(scalar.Value, scalar.Style == ScalarStyle.Plain);
            case SequenceStart:
                parser.MoveNext();
                var items = new List<YNode>();
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    items.Add(Node(parser, $"{at}[{items.Count}]", depth + 1));
                }
                return new YSeq(items);
            case MappingStart:
                parser.MoveNext();
                var entries = new List<(string, YNode)>();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    if (parser.Current is not Scalar { Anchor.IsEmpty: true, Tag.IsEmpty: true } keyEvent)
                    {
                        throw new Refused(at, "has a key that is not plain text (a list, mapping, alias or tagged value as a key).", "use plain names as keys.");
                    }
                    parser.MoveNext();
                    var key = keyEvent.Value;
                    var path = at.Length == 0 ? key : $"{at}.{key}";
                    if (!seen.Add(key))
                    {
                        throw new Refused(ConfigText.Shorten(path), "is set twice in the same mapping.", "keep one of them: YAML tools disagree on which one wins.");
                    }
                    entries.Add((key, Node(parser, path, depth + 1)));
                }
                return new YMap(entries);
            default:
                throw new Refused(at, $"has an unexpected YAML element ({current.GetType().Name}).", "restore the stack file from git.");
        }
    }
}
