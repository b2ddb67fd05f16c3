using System.Collections.Immutable;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Lab.Model.Spec;

/// <summary>
/// Turns a stack's raw config (the key → value map Pulumi hands the program) into a validated
/// <see cref="LabSpec"/>, or throws <see cref="LabConfigException"/> naming every problem at once.
/// </summary>
public static partial class LabSpecLoader
{
    // Each list read from the catalogue once, not once for every node, export or item checked against it (on first
    // use: the catalogue's own initializer reads this class).
    private static IReadOnlyList<string> NodeFields => field ??= ConfigCatalog.Fields("lab:nodes[]");
    private static IReadOnlyList<string> GpuFields => field ??= ConfigCatalog.Fields("lab:nodes[].gpu");
    private static IReadOnlyList<string> SshFields => field ??= ConfigCatalog.Fields("lab:ssh");
    private static IReadOnlyList<string> VersionFields => field ??= ConfigCatalog.Fields("lab:versions");
    private static IReadOnlyList<string> NasFields => field ??= ConfigCatalog.Fields("lab:nas");
    private static IReadOnlyList<string> ExportFields => field ??= ConfigCatalog.Fields("lab:nas.exports[]");
    private const string ExportExample = "'{name: datasets, path: /share/lab/datasets, access: rw}'";

    private const string NodeExample = "'{name: derpy, host: 192.168.50.13, role: control, cpu: Xeon W5-2445, memoryGb: 128, gpu: {model: RTX A5500, count: 1}}'";

    public static LabSpec Load(string stack, IReadOnlyDictionary<string, string> rawConfig, IReadOnlySet<string> secretKeys)
    {
        var config = rawConfig.ToDictionary(kv => ConfigKeys.Clean(kv.Key), kv => kv.Value);
        var secrets = secretKeys.Select(ConfigKeys.Clean).ToHashSet();
        var r = new ConfigReader(stack);

        if (!config.Keys.Any(k => k.StartsWith(ConfigKeys.Namespace + ":", StringComparison.Ordinal)))
        {
            throw new LabConfigException(stack, [new ConfigError(
                ConfigKeys.Namespace,
                $"stack '{stack}' has no lab configuration at all.",
                $"Pulumi reads it from {ConfigKeys.StackFileFor(stack)} (relative to Pulumi.yaml). Select the stack and point Pulumi at its file: " +
                $"pulumi up {ConfigKeys.StackFlags(stack)}. Shipped stacks: Pulumi.dev.yaml and stacks/Pulumi.prod.yaml.")]);
        }

        foreach (var key in config.Keys.Where(k => k.StartsWith(ConfigKeys.Namespace + ":", StringComparison.Ordinal) && !ConfigKeys.All.Contains(k)))
        {
            r.Error(key, "is not a known lab setting.", ConfigReader.UnknownFix(key, ConfigKeys.All));
        }

        var subnet = ReadSubnet(r, config.GetValueOrDefault(ConfigKeys.Subnet));
        var ssh = ReadSsh(r, config.GetValueOrDefault(ConfigKeys.Ssh));
        if (ssh?.Auth == SshAuth.Key && !config.ContainsKey(ConfigKeys.SshPrivateKey))
        {
            r.Error(ConfigKeys.SshPrivateKey, $"is not set, but {ConfigKeys.Ssh}.auth is 'key'.",
                $"pulumi config set --secret {ConfigKeys.SshPrivateKey} {ConfigKeys.StackFlags(stack)} < ~/.ssh/lab_deploy_ed25519 (or set {ConfigKeys.Ssh}.auth to 'agent').");
        }
        foreach (var key in ConfigKeys.Secret.Where(k => config.ContainsKey(k) && !secrets.Contains(k)))
        {
            r.Error(key, "is stored in plaintext in the stack file.",
                $"remove it from {ConfigKeys.StackFileFor(stack)} and set it again with: pulumi config set --secret {key} {ConfigKeys.StackFlags(stack)} < FILE");
        }
        foreach (var key in secrets.Where(k => k.StartsWith(ConfigKeys.Namespace + ":", StringComparison.Ordinal) && ConfigKeys.All.Contains(k) && !ConfigKeys.Secret.Contains(k)).Order(StringComparer.Ordinal))
        {
            // The program would read it as plain text: it would land unencrypted in state, the plan and the nodes' scripts.
            r.Error(key, "is marked secret in the stack file, but the lab handles it as plain text (it would be stored and shown unencrypted).",
                $"set it without --secret (pulumi config set --path '{key}...' VALUE {ConfigKeys.StackFlags(stack)}); only {string.Join(" and ", ConfigKeys.Secret.Order(StringComparer.Ordinal))} hold secrets.");
        }
        var versions = ReadVersions(r, config.GetValueOrDefault(ConfigKeys.Versions), subnet);
        var nas = ReadNas(r, config.GetValueOrDefault(ConfigKeys.Nas), subnet, ssh?.HostKeys);
        var cluster = ReadCluster(r, config.GetValueOrDefault(ConfigKeys.Cluster));
        var alerts = ReadAlerts(r, config.GetValueOrDefault(ConfigKeys.Alerts));
        var validation = ReadValidation(r, config.GetValueOrDefault(ConfigKeys.Validation), subnet, nas);
        var vault = ReadVault(r, config.GetValueOrDefault(ConfigKeys.Vault), config.GetValueOrDefault(ConfigKeys.VaultSecrets), subnet);
        var nodes = ReadNodes(r, config.GetValueOrDefault(ConfigKeys.Nodes), subnet, nas, ssh?.HostKeys);
        var backups = ReadBackups(r, config.GetValueOrDefault(ConfigKeys.Backups), nas, vault, versions);
        if (versions is not null && nodes.Any(n => n.Mounts.Length > 0) && !versions.OsPackages.ContainsKey("nfs-common"))
        {
            r.Error($"{ConfigKeys.Versions}.osPackages", "does not pin nfs-common, which the nodes' NFS mounts need.",
                r.SetPathFix($"{ConfigKeys.Versions}.osPackages.nfs-common", "1:2.6.4-3ubuntu5.1"));
        }

        // The NFS probe measures the control node's own automount of the export: the node must mount it
        // (its mounts are known only with the NAS's exports).
        if (validation is { Mode: not GateMode.Off } && nas is not null && nodes.Select((n, i) => (Node: n, Index: i)).FirstOrDefault(x => x.Node.Role == NodeRole.Control) is { Node: { } control } at
            && !control.Mounts.Contains(validation.NfsExport))
        {
            r.Error($"{ConfigKeys.Nodes}[{at.Index}].mounts", $"does not include '{validation.NfsExport}', the export the gate's NFS probe measures on the control node (lab:validation.nfsExport).",
                $"add {validation.NfsExport} to the control node's mounts, or point lab:validation.nfsExport at an export it mounts.");
        }

        if (nas is not null)
        {
            if (nodes.Any(n => n.Name == nas.Name))
            {
                r.Error($"{ConfigKeys.Nas}.name", $"'{nas.Name}' is also a node's name.", "give the NAS a name of its own.");
            }
            foreach (var clash in nodes.Where(n => n.Host.Equals(nas.Host)))
            {
                r.Error($"{ConfigKeys.Nas}.host", $"{nas.Host} is also node '{clash.Name}''s host.", "each machine needs its own address.");
            }
        }

        var keyed = nodes.Select((n, i) => (Key: $"{ConfigKeys.Nodes}[{i}].hostKey", n.HostKey))
            .Append((Key: $"{ConfigKeys.Nas}.hostKey", HostKey: nas?.HostKey)).Where(k => k.HostKey is not null);
        foreach (var group in keyed.GroupBy(k => k.HostKey!.Line).Where(g => g.Count() > 1))
        {
            r.Error(group.Last().Key, $"is the same key as {group.First().Key}: a pinned key must tell the machines apart.",
                "collect each machine's own key (scripts/host-keys FILE); machines cloned from one disk image need new host keys (ssh-keygen -A after removing /etc/ssh/ssh_host_*).");
        }

        var slurm = ReadSlurm(r, config.GetValueOrDefault(ConfigKeys.Slurm), nodes, nas, cluster);

        if (r.Errors.Count > 0)
        {
            throw new LabConfigException(stack, r.Errors);
        }
        return new LabSpec(stack, subnet!, ssh!, versions!, nodes, nas!, vault!, cluster!, alerts!, validation!, slurm, backups);
    }

    private static Ipv4Network? ReadSubnet(ConfigReader r, string? raw)
    {
        if (raw is null)
        {
            r.Error(ConfigKeys.Subnet, "is not set.", $"pulumi config set {ConfigKeys.Subnet} 192.168.50.0/24 {ConfigKeys.StackFlags(r.Stack)}");
            return null;
        }
        if (!r.Text(ConfigKeys.Subnet, raw))
        {
            return null;
        }
        if (!Ipv4Network.TryParse(raw, out var subnet))
        {
            r.Error(ConfigKeys.Subnet, $"'{ConfigText.Shorten(raw)}' is not an IPv4 network in CIDR form with its host bits clear.",
                $"pulumi config set {ConfigKeys.Subnet} 192.168.50.0/24 {ConfigKeys.StackFlags(r.Stack)}");
            return null;
        }
        if (!Ipv4Network.Rfc1918.Any(range => range.Contains(subnet)) || subnet.PrefixLength < 16)
        {
            r.Error(ConfigKeys.Subnet, $"{subnet} is not a private lab network of at most a /16.",
                $"use the lab's own RFC 1918 network (inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16, prefix /16 or longer): pulumi config set {ConfigKeys.Subnet} 192.168.50.0/24 {ConfigKeys.StackFlags(r.Stack)}");
            return null;
        }
        return subnet;
    }

    private static SshSpec? ReadSsh(ConfigReader r, string? raw)
    {
        const string key = ConfigKeys.Ssh;
        if (r.Document(key, raw, JsonValueKind.Object, "lab:ssh: {user: labops, port: 22, auth: agent}") is not { } ssh)
        {
            return null;
        }
        r.RejectUnknown(ssh, key, SshFields);
        var user = r.String(ssh, key, "user", "labops");
        if (user is not null && !UserName().IsMatch(user))
        {
            r.Error($"{key}.user", $"'{ConfigText.Shorten(user)}' is not a valid login name.", r.SetPathFix($"{key}.user", "labops"));
        }
        else if (user == "root")
        {
            // driver-reboot schedules the reboot a minute ahead and relies on pam_nologin to hold off the next login
            // until the new boot; pam_nologin never refuses root, so driver-loaded would check the old boot and fail.
            r.Error($"{key}.user", "is root, whom pam_nologin lets in during the minute before the driver reboot: driver-loaded would log in to the old boot and fail.",
                $"use an unprivileged user with passwordless sudo (the steps run sudo -n): {r.SetPathFix($"{key}.user", "labops")}");
        }
        var port = r.Int(ssh, key, "port");
        var authText = r.Optional(ssh, key, "auth");
        SshAuth? auth = authText switch { "agent" => SshAuth.Agent, "key" => SshAuth.Key, _ => null };
        if (auth is null)
        {
            r.Error($"{key}.auth", $"'{ConfigText.Shorten(authText)}' is not an SSH auth mode.", "use 'agent' (your ssh-agent) or 'key' (the secret lab:sshPrivateKey).");
        }
        var modeText = r.Optional(ssh, key, "hostKeys");
        HostKeyMode? hostKeys = modeText switch { "pinned" => HostKeyMode.Pinned, "collect" => HostKeyMode.Collect, _ => null };
        if (hostKeys is null)
        {
            r.Error($"{key}.hostKeys", $"'{ConfigText.Shorten(modeText)}' is not a host-key mode.",
                "use 'pinned' (every machine's hostKey set and checked) or 'collect' (until scripts/host-keys FILE has recorded them).");
        }
        var bootTimeout = Seconds(r, ssh, key, "bootTimeout", "15m", fallback: SshSpec.DefaultBootTimeoutSeconds);
        if (bootTimeout is < MinBootTimeout or > MaxBootTimeout)
        {
            r.Error($"{key}.bootTimeout", bootTimeout < MinBootTimeout
                    ? $"{Text.Duration.Format(bootTimeout.Value)} is shorter than any workstation takes to reboot: driver-loaded would give up while the machine is still in POST."
                    : $"{Text.Duration.Format(bootTimeout.Value)} would keep an update waiting for hours on a machine that is not coming back.",
                $"use between 1m and 2h (default 15m): {r.SetPathFix($"{key}.bootTimeout", "15m")}");
            bootTimeout = null;
        }
        return user is null || port is null || auth is null || hostKeys is null || bootTimeout is null ? null
            : new SshSpec(user, port.Value, auth.Value, hostKeys.Value, bootTimeout.Value);
    }

    private static PinnedVersions? ReadVersions(ConfigReader r, string? raw, Ipv4Network? subnet)
    {
        const string key = ConfigKeys.Versions;
        if (r.Document(key, raw, JsonValueKind.Object, "lab:versions: {ubuntu: '24.04', nvidiaDriver: 580.95.05-0ubuntu0.24.04.2, containerToolkit: 1.17.8-1, osPackages: {chrony: 4.5-1ubuntu4}}") is not { } v)
        {
            return null;
        }
        r.RejectUnknown(v, key, VersionFields);
        var ubuntu = r.String(v, key, "ubuntu", "'24.04'");
        if (ubuntu is not null && !UbuntuRelease().IsMatch(ubuntu))
        {
            r.Error($"{key}.ubuntu", $"'{ConfigText.Shorten(ubuntu)}' is not an Ubuntu release like 24.04.", r.SetPathFix($"{key}.ubuntu", "'24.04'"));
        }
        var driver = Pinned(r, v, key, "nvidiaDriver", "580.95.05-0ubuntu0.24.04.2");
        if (driver is not null && !DriverVersion().IsMatch(driver))
        {
            r.Error($"{key}.nvidiaDriver", $"'{driver}' is not the apt version of an NVIDIA driver (BRANCH.MINOR.PATCH-DEBIAN_REVISION).",
                r.SetPathFix($"{key}.nvidiaDriver", "580.95.05-0ubuntu0.24.04.2"));
        }
        var toolkit = Pinned(r, v, key, "containerToolkit", "1.17.8-1");
        var packages = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        if (r.Child(v, key, "osPackages", JsonValueKind.Object, "osPackages: {chrony: 4.5-1ubuntu4}") is { } pkgs)
        {
            foreach (var pkg in pkgs.EnumerateObject())
            {
                if (!PackageName().IsMatch(pkg.Name))
                {
                    r.Error($"{key}.osPackages.{pkg.Name}", "is not a Debian package name.", "use the package's apt name, e.g. chrony.");
                    continue;
                }
                if (Pinned(r, pkgs, $"{key}.osPackages", pkg.Name, "4.5-1ubuntu4") is { } pinned)
                {
                    packages[pkg.Name] = pinned;
                }
            }
        }
        var (snapshot, mirror, sourceOk) = ReadAptSource(r, v, key, subnet);
        // Vendors rotate their repository keys now and then: each fingerprint is pinned like a version.
        var nvidiaKey = RepositoryKey(r, v, key, "nvidiaRepositoryKey", "NVIDIA", Nodes.NodeSteps.ToolkitKeyFingerprint);
        var hashicorpKey = RepositoryKey(r, v, key, "hashicorpRepositoryKey", "HashiCorp", Vault.VaultAgent.RepositoryKeyFingerprint);
        return ubuntu is null || driver is null || toolkit is null || !sourceOk || nvidiaKey is null || hashicorpKey is null ? null
            : new PinnedVersions(ubuntu, driver, toolkit, packages.ToImmutable(), snapshot, mirror, nvidiaKey, hashicorpKey);
    }

    /// <summary>The fingerprint a vendor's repository key must have: the vendor's current key unless the stack pins another.</summary>
    private static string? RepositoryKey(ConfigReader r, JsonElement v, string key, string field, string vendor, string current)
    {
        var fingerprint = r.String(v, key, field, current, required: false) ?? current;
        if (!KeyFingerprint().IsMatch(fingerprint))
        {
            r.Error($"{key}.{field}", $"'{ConfigText.Shorten(fingerprint)}' is not an OpenPGP key fingerprint (40 hex digits, upper case, no spaces).",
                $"leave it out for {vendor}'s current key {current}, or copy the fingerprint gpg --show-keys prints for the new key.");
            return null;
        }
        return fingerprint;
    }

    /// <summary>
    /// Where the Ubuntu archive is read: a dated snapshot (Ubuntu's snapshot service, so a pinned version
    /// stays installable after -updates and -security move on) or the lab's own mirror. Exactly one.
    /// </summary>
    private static (string? Snapshot, string? Mirror, bool Ok) ReadAptSource(ConfigReader r, JsonElement v, string key, Ipv4Network? subnet)
    {
        var snapshot = r.String(v, key, "aptSnapshot", "", required: false);
        var mirror = r.String(v, key, "aptMirror", "", required: false);
        var snapshotFix = $"pick the instant every pin above was current in the Ubuntu archive (UTC), e.g. {r.SetPathFix($"{key}.aptSnapshot", "20251201T000000Z")}";
        if (snapshot is null && mirror is null)
        {
            r.Error($"{key}.aptSnapshot", "is not set (nor aptMirror): nodes would install from the live archive, whose -updates and -security pockets keep only the newest version, so a pinned version stops being installable once superseded.",
                $"{snapshotFix}; or set {key}.aptMirror to the lab's own mirror of the archive.");
            return (null, null, false);
        }
        if (snapshot is not null && mirror is not null)
        {
            r.Error($"{key}.aptMirror", "is set together with aptSnapshot; nodes read the archive from one of them.", $"remove one: the snapshot ({key}.aptSnapshot) or the lab's mirror ({key}.aptMirror).");
            return (null, null, false);
        }
        if (snapshot is not null)
        {
            if (!DateTime.TryParseExact(snapshot, "yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var at))
            {
                r.Error($"{key}.aptSnapshot", $"'{ConfigText.Shorten(snapshot)}' is not a snapshot ID of the form YYYYMMDDTHHMMSSZ (UTC).", snapshotFix);
                return (null, null, false);
            }
            if (at > DateTime.UtcNow)
            {
                r.Error($"{key}.aptSnapshot", $"{snapshot} is in the future: the archive of that instant does not exist yet, so the nodes would install whatever is newest when they run.", snapshotFix);
                return (null, null, false);
            }
            if (at < AptSnapshotsBegin)
            {
                r.Error($"{key}.aptSnapshot", $"{snapshot} is before 1 March 2023, where Ubuntu's snapshot service begins.", snapshotFix);
                return (null, null, false);
            }
            return (snapshot, null, true);
        }
        if (!Uri.TryCreate(mirror, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !AptMirrorUrl().IsMatch(mirror!))
        {
            r.Error($"{key}.aptMirror", $"'{ConfigText.Shorten(mirror!)}' is not the http(s) URL of an Ubuntu archive mirror.", r.SetPathFix($"{key}.aptMirror", "http://192.168.50.20:8080/ubuntu/"));
            return (null, null, false);
        }
        if (subnet is not null && Ipv4Network.TryParseAddress(uri.Host, out var ip) && !subnet.Contains(ip))
        {
            r.Error($"{key}.aptMirror", $"{uri.Host} is outside the lab subnet {subnet}.", "use the lab's own mirror (inside the lab), or a snapshot: aptSnapshot.");
            return (null, null, false);
        }
        if (Ipv4Network.TryParseAddress(uri.Host, out var mirrorIp) && IsReserved(r, $"{key}.aptMirror", mirrorIp, subnet))
        {
            return (null, null, false);
        }
        return (null, mirror, true);
    }

    /// <summary>A version that names one exact build: no "latest", "*", ranges or bare channels.</summary>
    private static string? Pinned(ConfigReader r, JsonElement obj, string key, string field, string example)
    {
        var value = r.String(obj, key, field, example);
        if (value is not null && !AptVersion().IsMatch(value))
        {
            r.Error($"{key}.{field}", $"'{ConfigText.Shorten(value)}' is not a pinned version; every node must run the same exact build.",
                $"pin the exact apt version (apt-cache policy shows it): {r.SetPathFix($"{key}.{field}", example)}");
            return null;
        }
        return value;
    }

    private static ImmutableArray<NodeSpec> ReadNodes(ConfigReader r, string? raw, Ipv4Network? subnet, NasSpec? nas, HostKeyMode? hostKeys)
    {
        const string key = ConfigKeys.Nodes;
        if (r.Document(key, raw, JsonValueKind.Array, $"lab:nodes: [{NodeExample}]") is not { } list)
        {
            return [];
        }
        var (nodes, allRead) = r.Mappings(list, key, NodeExample, (item, at) => ReadNode(r, item, at, subnet, nas, hostKeys));
        if (list.GetArrayLength() == 0)
        {
            r.Error(key, "lists no nodes.", $"add at least the control node, e.g. {NodeExample}");
        }

        foreach (var group in nodes.GroupBy(n => n.Name).Where(g => g.Count() > 1))
        {
            r.Error(key, $"node name '{group.Key}' is used {group.Count()} times.", "give every node a unique name.");
        }
        foreach (var group in nodes.GroupBy(n => n.Host).Where(g => g.Count() > 1))
        {
            r.Error(key, $"host {group.Key} is used by {ConfigText.Names(group.Select(n => n.Name))}.", "give every node its own address.");
        }
        var controls = nodes.Count(n => n.Role == NodeRole.Control);
        // A node with its own errors is not read: judging the roles without it would only add a false error.
        if (nodes.Length > 0 && allRead && controls != 1)
        {
            r.Error(key, controls == 0 ? "has no node with role 'control'." : $"has {controls} nodes with role 'control' ({ConfigText.Names(nodes.Where(n => n.Role == NodeRole.Control).Select(n => n.Name))}).",
                "exactly one node runs the control plane: set role: control on one node and gemini or exploratory on the others.");
        }
        return nodes;
    }

    private static NodeSpec? ReadNode(ConfigReader r, JsonElement item, string at, Ipv4Network? subnet, NasSpec? nas, HostKeyMode? hostKeys)
    {
        r.RejectUnknown(item, at, NodeFields);
        var name = r.String(item, at, "name", "derpy");
        if (name is not null && !NodeName().IsMatch(name))
        {
            r.Error($"{at}.name", $"'{ConfigText.Shorten(name)}' is not a valid node name.", "use lower-case letters, digits and '-', starting with a letter (at most 40), e.g. gemini-1.");
            name = null;
        }
        var host = ReadHost(r, item, at, subnet, "192.168.50.13");
        var roleText = r.String(item, at, "role", "gemini");
        NodeRole? role = roleText switch
        {
            "control" => NodeRole.Control,
            "gemini" => NodeRole.Gemini,
            "exploratory" => NodeRole.Exploratory,
            _ => null,
        };
        if (roleText is not null && role is null)
        {
            r.Error($"{at}.role", $"'{ConfigText.Shorten(roleText)}' is not a lab role.", "use control, gemini or exploratory.");
        }
        var cpu = Hardware(r, item, at, "cpu", "'Xeon W5-2445'");
        var memory = r.Int(item, at, "memoryGb");
        var minFree = r.Int(item, at, "minFreeDiskGb");
        var rebuild = r.Int(item, at, "rebuild");
        GpuSpec? gpu = null;
        if (r.Child(item, at, "gpu", JsonValueKind.Object, "gpu: {model: RTX A5500, count: 1}") is { } g)
        {
            r.RejectUnknown(g, $"{at}.gpu", GpuFields);
            var model = Hardware(r, g, $"{at}.gpu", "model", "'RTX A5500'");
            var count = r.Int(g, $"{at}.gpu", "count");
            gpu = model is null || count is null ? null : new GpuSpec(model, count.Value);
        }
        var mounts = ReadMounts(r, item, at, nas, host);
        var (hostKey, keyOk) = ReadHostKey(r, item, at, hostKeys);
        // Optional: only Slurm's sizing needs it, and says so where it is missing.
        var cpus = item.TryGetProperty("cpus", out _) ? r.Int(item, at, "cpus") : null;
        return name is null || host is null || role is null || cpu is null || memory is null || minFree is null || rebuild is null || gpu is null || mounts is null || !keyOk
            ? null
            : new NodeSpec(name, host, role.Value, cpu, memory.Value, gpu, minFree.Value, rebuild.Value, mounts.Value, hostKey, cpus);
    }

    /// <summary>
    /// The exports a node mounts: unless the node lists its own, every export of the NAS whose clients include it
    /// (an export kept to one machine, such as Slurm's database, is no automount on the others: the NAS would refuse it).
    /// </summary>
    private static ImmutableArray<string>? ReadMounts(ConfigReader r, JsonElement item, string at, NasSpec? nas, IPAddress? host)
    {
        var known = nas?.Exports.Select(e => e.Name).ToList() ?? [];
        if (!item.TryGetProperty("mounts", out var list))
        {
            return [.. nas?.Exports.Where(e => host is null || e.Clients.Contains(host)).Select(e => e.Name) ?? []];
        }
        if (list.ValueKind != JsonValueKind.Array)
        {
            r.Error($"{at}.mounts", "must be a list of export names.", $"e.g. mounts: [{string.Join(", ", known)}]");
            return null;
        }
        var mounts = ImmutableArray.CreateBuilder<string>();
        var index = 0;
        foreach (var entry in list.EnumerateArray())
        {
            var name = entry.ValueKind == JsonValueKind.String ? entry.GetString()! : entry.GetRawText();
            if (nas is not null && !known.Contains(name))
            {
                r.Error($"{at}.mounts[{index}]", $"'{ConfigText.Shorten(name)}' is not an export of the NAS.",
                    known.Count == 0 ? $"declare it under {ConfigKeys.Nas}.exports first." : $"use one of: {ConfigText.Names(known)}.");
            }
            else if (host is not null && nas?.Exports.FirstOrDefault(e => e.Name == name) is { } export && !export.Clients.Contains(host))
            {
                r.Error($"{at}.mounts[{index}]", $"'{name}' is exported only to {export.Clients}, which does not include {host}: the NAS would refuse the mount.",
                    $"drop it from the node's mounts, or widen {ConfigKeys.Nas}.exports[{name}].clients to include {host}.");
            }
            else if (mounts.Contains(name))
            {
                r.Error($"{at}.mounts[{index}]", $"'{name}' is listed twice.", "list each export once.");
            }
            else
            {
                mounts.Add(name);
            }
            index++;
        }
        return nas is null ? null : mounts.ToImmutable();
    }

    private static NasSpec? ReadNas(ConfigReader r, string? raw, Ipv4Network? subnet, HostKeyMode? hostKeys)
    {
        const string key = ConfigKeys.Nas;
        if (r.Document(key, raw, JsonValueKind.Object, $"lab:nas: {{name: qnap, host: 192.168.50.20, model: QNAP 8-bay, exports: [{ExportExample}]}}") is not { } nas)
        {
            return null;
        }
        r.RejectUnknown(nas, key, NasFields);
        var name = r.String(nas, key, "name", "qnap");
        if (name is not null && !NodeName().IsMatch(name))
        {
            r.Error($"{key}.name", $"'{ConfigText.Shorten(name)}' is not a valid name.", "use lower-case letters, digits and '-', e.g. qnap.");
            name = null;
        }
        var host = ReadHost(r, nas, key, subnet, "192.168.50.20");
        var model = Hardware(r, nas, key, "model", "'QNAP 8-bay'");
        var exports = ReadExports(r, nas, key, subnet);
        var (hostKey, keyOk) = ReadHostKey(r, nas, key, hostKeys);
        return name is null || host is null || model is null || exports is null || !keyOk ? null : new NasSpec(name, host, model, exports.Value, hostKey);
    }

    private static ImmutableArray<ExportSpec>? ReadExports(ConfigReader r, JsonElement nas, string key, Ipv4Network? subnet)
    {
        if (r.Child(nas, key, "exports", JsonValueKind.Array, $"exports: [{ExportExample}]") is not { } list)
        {
            return null;
        }
        var (exports, ok) = r.Mappings(list, $"{key}.exports", ExportExample, (item, at) => ReadExport(r, item, at, subnet));
        foreach (var group in exports.GroupBy(e => e.Name).Where(g => g.Count() > 1))
        {
            r.Error($"{key}.exports", $"export name '{group.Key}' is used {group.Count()} times.", "give every export a unique name.");
        }
        var byMount = exports.OrderBy(e => e.MountPoint, StringComparer.Ordinal).ToList();
        for (var i = 0; i < byMount.Count; i++)
        {
            foreach (var other in byMount.Skip(i + 1).Where(o => Nested(byMount[i].MountPoint, o.MountPoint)))
            {
                r.Error($"{key}.exports", $"mount points of '{byMount[i].Name}' ({byMount[i].MountPoint}) and '{other.Name}' ({other.MountPoint}) overlap.",
                    "give each export its own mount point, none inside another (e.g. /mnt/nfs/NAME).");
            }
        }
        return ok ? exports : null;
    }

    private static bool Nested(string a, string b) => a == b || b.StartsWith(a + "/", StringComparison.Ordinal);

    private static ExportSpec? ReadExport(ConfigReader r, JsonElement item, string at, Ipv4Network? subnet)
    {
        r.RejectUnknown(item, at, ExportFields);
        var name = r.String(item, at, "name", "datasets");
        if (name is not null && !NodeName().IsMatch(name))
        {
            r.Error($"{at}.name", $"'{ConfigText.Shorten(name)}' is not a valid export name.", "use lower-case letters, digits and '-', e.g. datasets.");
            name = null;
        }
        var path = r.String(item, at, "path", "/share/lab/datasets");
        if (path is not null && !AbsolutePath().IsMatch(path))
        {
            r.Error($"{at}.path", $"'{ConfigText.Shorten(path)}' is not an absolute path on the NAS.",
                $"{r.SetPathFix($"{at}.path", "/share/lab/datasets")} (letters, digits, '.', '_', '-' and '/'; no '..').");
            path = null;
        }
        Ipv4Network? clients = subnet;
        if (r.String(item, at, "clients", "192.168.50.0/24", required: false) is { } clientsText)
        {
            if (!Ipv4Network.TryParse(clientsText, out var parsed))
            {
                r.Error($"{at}.clients", $"'{ConfigText.Shorten(clientsText)}' is not a network in CIDR form.", r.SetPathFix($"{at}.clients", "192.168.50.0/24"));
                clients = null;
            }
            else if (subnet is not null && !subnet.Contains(parsed))
            {
                r.Error($"{at}.clients", $"{parsed} reaches outside the lab subnet {subnet}.", $"export only to the lab: use {subnet} or a network inside it.");
                clients = null;
            }
            else
            {
                clients = parsed;
            }
        }
        var accessText = r.Optional(item, at, "access");
        ExportAccess? access = accessText switch { "rw" => ExportAccess.ReadWrite, "ro" => ExportAccess.ReadOnly, _ => null };
        if (access is null)
        {
            r.Error($"{at}.access", $"'{ConfigText.Shorten(accessText)}' is not an access mode.", "use rw or ro.");
        }
        var rootSquash = r.Bool(item, at, "rootSquash");
        var confirmed = r.Bool(item, at, "confirmNoRootSquash");
        if (rootSquash == false && confirmed == false)
        {
            r.Error($"{at}.rootSquash", "is off, which gives every client's root full root access to this export.",
                $"keep root squash on, or confirm it: {r.SetPathFix($"{at}.confirmNoRootSquash", "true")}");
            rootSquash = null;
        }
        var sync = r.Bool(item, at, "sync");
        var mountPoint = r.String(item, at, "mountPoint", "/mnt/nfs/datasets", required: false) ?? (name is null ? null : $"/mnt/nfs/{name}");
        if (mountPoint is not null && !MountPoint().IsMatch(mountPoint))
        {
            r.Error($"{at}.mountPoint", $"'{ConfigText.Shorten(mountPoint)}' is not an absolute mount point below /.",
                $"{r.SetPathFix($"{at}.mountPoint", "/mnt/nfs/datasets")} (lower-case letters, digits, '_', '-' and '/').");
            mountPoint = null;
        }
        return name is null || path is null || clients is null || access is null || rootSquash is null || sync is null || mountPoint is null
            ? null
            : new ExportSpec(name, path, clients, access.Value, rootSquash.Value, sync.Value, mountPoint);
    }

    private static IPAddress? ReadHost(ConfigReader r, JsonElement obj, string at, Ipv4Network? subnet, string example)
    {
        var text = r.String(obj, at, "host", example);
        if (text is null)
        {
            return null;
        }
        if (!Ipv4Network.TryParseAddress(text.Trim(), out var host))
        {
            r.Error($"{at}.host", $"'{ConfigText.Shorten(text)}' is not an IPv4 address.", r.SetPathFix($"{at}.host", example));
            return null;
        }
        if (subnet is not null && !subnet.Contains(host))
        {
            r.Error($"{at}.host", $"{host} is outside the lab subnet {subnet}.", $"use an address in {subnet}, or correct {ConfigKeys.Subnet}.");
            return null;
        }
        return IsReserved(r, $"{at}.host", host, subnet) ? null : host;
    }

    /// <summary>Refuses, at KEY, the lab subnet's network or broadcast address as a machine's or service's address.</summary>
    private static bool IsReserved(ConfigReader r, string key, IPAddress address, Ipv4Network? subnet)
    {
        if (subnet?.Reserved(address) is not { } which)
        {
            return false;
        }
        var (first, last) = subnet.Hosts;
        r.Error(key, $"{address} is the {which} address of the lab subnet {subnet}: no machine can have it.", $"use a host address from {first} to {last}.");
        return true;
    }

    /// <summary>
    /// A machine's pinned SSH host key. Missing is an error unless lab:ssh.hostKeys is collect: without it,
    /// role-ids, secret-ids and join tokens would go to whatever machine answers on the address.
    /// </summary>
    private static (HostKey? Key, bool Ok) ReadHostKey(ConfigReader r, JsonElement obj, string at, HostKeyMode? mode)
    {
        var full = $"{at}.hostKey";
        var collect = $"scripts/host-keys {ConfigKeys.StackFileFor(r.Stack)} fetches it with ssh-keyscan, shows its SHA256 fingerprint to compare with " +
            "`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on the machine's console, and writes it here";
        var text = r.String(obj, at, "hostKey", "ssh-ed25519 AAAA…", required: false);
        if (text is null)
        {
            if (mode == HostKeyMode.Pinned)
            {
                r.Error(full, "is missing, so nothing would check that the machine answering on this address is the lab's.",
                    $"{collect} (until then, {ConfigKeys.Ssh}.hostKeys: collect runs unpinned).");
                return (null, false);
            }
            return (null, true);
        }
        if (!HostKey.TryParse(text, out var key, out var problem))
        {
            r.Error(full, problem, $"{collect}; by hand: ssh-keyscan -t ed25519 HOST, without the host name at the start.");
            return (null, false);
        }
        return (key, true);
    }

    /// <summary>Hardware names end up in probe scripts and labels: keep them to plain characters.</summary>
    private static string? Hardware(ConfigReader r, JsonElement obj, string at, string field, string example)
    {
        var value = r.String(obj, at, field, example);
        if (value is not null && !HardwareName().IsMatch(value))
        {
            r.Error($"{at}.{field}", $"'{ConfigText.Shorten(value)}' has characters other than letters, digits, space, '.', '-' and '_'.", r.SetPathFix($"{at}.{field}", example));
            return null;
        }
        return value;
    }

    private const int MinBootTimeout = 60;
    private const int MaxBootTimeout = 2 * 3600;
    private static readonly DateTime AptSnapshotsBegin = new(2023, 3, 1, 0, 0, 0, DateTimeKind.Utc);
    [GeneratedRegex(ConfigPatterns.AptMirrorUrl)] private static partial Regex AptMirrorUrl();
    [GeneratedRegex(ConfigPatterns.NodeName)] private static partial Regex NodeName();
    [GeneratedRegex(ConfigPatterns.UserName)] private static partial Regex UserName();
    [GeneratedRegex(ConfigPatterns.UbuntuRelease)] private static partial Regex UbuntuRelease();
    [GeneratedRegex(ConfigPatterns.KeyFingerprint)] private static partial Regex KeyFingerprint();
    [GeneratedRegex(ConfigPatterns.DriverVersion)] private static partial Regex DriverVersion();
    [GeneratedRegex(ConfigPatterns.AptVersion)] private static partial Regex AptVersion();
    [GeneratedRegex(ConfigPatterns.PackageName)] private static partial Regex PackageName();
    [GeneratedRegex(ConfigPatterns.HardwareName)] private static partial Regex HardwareName();
    [GeneratedRegex(ConfigPatterns.AbsolutePath)] private static partial Regex AbsolutePath();
    [GeneratedRegex(ConfigPatterns.MountPoint)] private static partial Regex MountPoint();
}
