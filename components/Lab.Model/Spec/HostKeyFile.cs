using System.Net;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Lab.Model.Spec;

/// <summary>A machine the program reaches over SSH, by the key its host key sits under (lab:nodes[2], lab:nas).</summary>
public sealed record SshMachine(string Key, string Name, IPAddress Host, int Port, HostKey? HostKey);

/// <summary>
/// Reads which machines of a stack file need host keys, and writes collected keys into the file as
/// text edits at the YAML parser's positions, so the operator's comments and layout stay as they were.
/// </summary>
public static class HostKeyFile
{
    /// <summary>The stack's machines (nodes, then the NAS); works whether or not the keys are there yet.</summary>
    public static IReadOnlyList<SshMachine> Machines(StackFile file)
    {
        var errors = new List<ConfigError>();
        var port = 22;
        if (file.Config.TryGetValue(ConfigKeys.Ssh, out var ssh) && JsonDocument.Parse(ssh).RootElement is { ValueKind: JsonValueKind.Object } s
            && s.TryGetProperty("port", out var p))
        {
            port = p.GetInt32();
        }
        var machines = new List<SshMachine>();
        void Add(string key, JsonElement m)
        {
            var name = m.TryGetProperty("name", out var n) ? n.ToString() : key;
            var hostText = m.TryGetProperty("host", out var h) ? h.ToString() : "";
            if (!Ipv4Network.TryParseAddress(hostText, out var host))
            {
                errors.Add(new ConfigError($"{key}.host", $"'{ConfigText.Shorten(hostText)}' is not an IPv4 address.", "set the machine's address first."));
                return;
            }
            HostKey? pinned = null;
            if (m.TryGetProperty("hostKey", out var k) && !HostKey.TryParse(k.ToString(), out pinned, out _))
            {
                pinned = null; // a malformed key is replaced by the collected one
            }
            machines.Add(new SshMachine(key, name, host, port, pinned));
        }
        if (file.Config.TryGetValue(ConfigKeys.Nodes, out var nodes) && JsonDocument.Parse(nodes).RootElement is { ValueKind: JsonValueKind.Array } list)
        {
            var i = 0;
            foreach (var node in list.EnumerateArray())
            {
                Add($"{ConfigKeys.Nodes}[{i++}]", node);
            }
        }
        if (file.Config.TryGetValue(ConfigKeys.Nas, out var nas) && JsonDocument.Parse(nas).RootElement is { ValueKind: JsonValueKind.Object } n2)
        {
            Add(ConfigKeys.Nas, n2);
        }
        if (errors.Count > 0 || machines.Count == 0)
        {
            throw new LabConfigException(file.Stack, errors.Count > 0 ? errors
                : [new ConfigError(ConfigKeys.Nodes, "lists no machines.", $"add the nodes and the NAS to {file.Path} first.")]);
        }
        return machines;
    }

    /// <summary>
    /// The stack file's text with each machine's hostKey set (replaced where present, else added under
    /// its host), and lab:ssh.hostKeys set to pinned once every machine has a key.
    /// </summary>
    public static string Write(StackFile file, string yaml, IReadOnlyDictionary<string, HostKey> keys)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var config = (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode)[new YamlScalarNode("config")];
        var edits = new List<(int Start, int End, string Text)>();
        foreach (var (key, hostKey) in keys)
        {
            var machine = Machine(config, key);
            if (machine.Style == MappingStyle.Flow)
            {
                throw new LabConfigException(file.Stack, [new ConfigError(key, "is written in flow style ({...}) in the stack file.",
                    "write it as a block mapping (one 'field: value' per line), then collect again.")]);
            }
            if (machine.Children.TryGetValue(new YamlScalarNode("hostKey"), out var existing))
            {
                edits.Add(((int)existing.Start.Index, (int)existing.End.Index, hostKey.Line));
            }
            else
            {
                var host = machine.Children.First(c => ((YamlScalarNode)c.Key).Value == "host");
                var lineEnd = yaml.IndexOf('\n', (int)host.Value.End.Index);
                var at = lineEnd < 0 ? yaml.Length : lineEnd + 1;
                edits.Add((at, at, $"{new string(' ', (int)host.Key.Start.Column - 1)}hostKey: {hostKey.Line}\n"));
            }
        }
        var allKeyed = Machines(file).All(m => m.HostKey is not null || keys.ContainsKey(m.Key));
        if (allKeyed && config.Children.TryGetValue(new YamlScalarNode(ConfigKeys.Ssh), out var ssh) && ssh is YamlMappingNode sshMap
            && sshMap.Children.TryGetValue(new YamlScalarNode("hostKeys"), out var mode))
        {
            edits.Add(((int)mode.Start.Index, (int)mode.End.Index, "pinned"));
        }
        var text = yaml;
        foreach (var (start, end, replacement) in edits.OrderByDescending(e => e.Start))
        {
            text = string.Concat(text.AsSpan(0, start), replacement, text.AsSpan(end));
        }
        return text;
    }

    private static YamlMappingNode Machine(YamlMappingNode config, string key)
    {
        if (key == ConfigKeys.Nas)
        {
            return (YamlMappingNode)config[new YamlScalarNode(ConfigKeys.Nas)];
        }
        var index = int.Parse(key[(ConfigKeys.Nodes.Length + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
        return (YamlMappingNode)((YamlSequenceNode)config[new YamlScalarNode(ConfigKeys.Nodes)]).Children[index];
    }
}
