using System.Text.Json;
using System.Text.Json.Nodes;
using Lab.Components.Slurm;
using Lab.Model.Spec;
using Lab.Plan;
using Pulumi;

namespace Lab.Components.Tests;

public class SlurmSchedulerTests
{
    private const string SlurmCluster = "kubernetes:slurm.nebius.ai/v1:SlurmCluster";
    private const string NodeSet = "kubernetes:slurm.nebius.ai/v1alpha1:NodeSet";
    private const string Release = "kubernetes:helm.sh/v3:Release";

    private static JsonNode Json(PlannedResource r, string input) => JsonNode.Parse(JsonSerializer.Serialize(r.Inputs[input]))!;

    [Fact]
    public async Task Prod_deploys_soperator_the_slurm_cluster_and_a_nodeset_per_GPU_node_on_the_lab_cluster()
    {
        // The SlurmCluster's spec waits for the gate key step's output (its root keys), as after a real run.
        var plan = await Lab.Plan(Lab.Prod, new HealthyLabMocks(Lab.Prod));
        var slurm = plan.Where(r => r.ParentType == SlurmScheduler.TypeToken).ToList();
        Assert.All(slurm.Where(r => r.Type.StartsWith("kubernetes:", StringComparison.Ordinal)), r => Assert.Equal(("slurm", "cluster-k8s"), (r.ParentName!, r.Provider!)));

        var releases = plan.OfType(Release).ToList();
        Assert.Equal(["cert-manager v1.19.1", "oci://cr.eu-north1.nebius.cloud/soperator/helm-soperator-crds 4.1.7", "oci://cr.eu-north1.nebius.cloud/soperator/helm-soperator 4.1.7"],
            releases.Select(r => $"{r.Inputs["chart"]} {r.Inputs["version"]}"));
        // Soperator's webhooks need cert-manager running first, and its CRDs come from their own release, not its crds/.
        Assert.Contains("slurm-cert-manager", plan.Single(Release, "slurm-soperator").DependsOn);
        Assert.Contains("slurm-soperator-crds", plan.Single(Release, "slurm-soperator").DependsOn);
        Assert.True((bool)plan.Single(Release, "slurm-soperator").Inputs["skipCrds"]);

        var cluster = plan.Single(SlurmCluster, "slurm-cluster");
        Assert.Superset(new HashSet<string> { "slurm-soperator", "slurm-jail-claim", "zenon-addons", "rocinate-join", "qnap-exports" }, cluster.DependsOn.ToHashSet());
        var login = Json(cluster, "spec")["slurmNodes"]!["login"]!;
        Assert.Equal(("NodePort", 30022), ((string)login["sshdServiceType"]!, (int)login["sshdServiceNodePort"]!));

        // sconfigcontroller (which writes slurm.conf into the jail) runs as the account the cluster names, bound to its role
        // before the cluster exists.
        var controller = Json(cluster, "spec")["sConfigController"]!;
        Assert.Equal("lab-slurm-sconfigcontroller", (string)controller["serviceAccountName"]!);
        var account = plan.Single("kubernetes:core/v1:ServiceAccount", "slurm-sconfigcontroller-account");
        Assert.Equal(("lab-slurm-sconfigcontroller", "slurm"), ((string)Json(account, "metadata")["name"]!, (string)Json(account, "metadata")["namespace"]!));
        var binding = plan.Single("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "slurm-sconfigcontroller-binding");
        Assert.Equal("lab-slurm-sconfigcontroller", (string)Json(binding, "roleRef")["name"]!);
        Assert.Equal("lab-slurm-sconfigcontroller", (string)Json(binding, "subjects")[0]!["name"]!);
        Assert.Contains("slurm-sconfigcontroller-binding", cluster.DependsOn);
        var rules = Json(plan.Single("kubernetes:rbac.authorization.k8s.io/v1:Role", "slurm-sconfigcontroller-role"), "rules")!.AsArray();
        Assert.Contains(rules, r => r!["resources"]!.AsArray().Any(x => (string)x! == "jailedconfigs") && r["verbs"]!.AsArray().Any(v => (string)v! == "update"));

        // The exporter runs as its own account, which may read the JWT Secret it signs slurmrestd requests with.
        Assert.Equal("lab-slurm-exporter", (string)Json(cluster, "spec")["slurmNodes"]!["exporter"]!["serviceAccountName"]!);
        var exporterAccount = plan.Single("kubernetes:core/v1:ServiceAccount", "slurm-exporter-account");
        Assert.Equal(("lab-slurm-exporter", "slurm"), ((string)Json(exporterAccount, "metadata")["name"]!, (string)Json(exporterAccount, "metadata")["namespace"]!));
        var exporterBinding = plan.Single("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "slurm-exporter-binding");
        Assert.Equal(("lab-slurm-exporter", "lab-slurm-exporter"), ((string)Json(exporterBinding, "roleRef")["name"]!, (string)Json(exporterBinding, "subjects")[0]!["name"]!));
        var exporterRules = Json(plan.Single("kubernetes:rbac.authorization.k8s.io/v1:Role", "slurm-exporter-role"), "rules")!.AsArray();
        Assert.Equal("secrets get,list,watch", string.Join(" ", exporterRules.Select(r => $"{string.Join(",", r!["resources"]!.AsArray())} {string.Join(",", r["verbs"]!.AsArray())}")));
        Assert.Contains("slurm-exporter-binding", cluster.DependsOn);

        var nodeSets = plan.OfType(NodeSet).ToList();
        // One NodeSet per node prod's lab:slurm.workers names.
        Assert.Equal(["gemini-1", "rocinate"], nodeSets.Select(n => (string)Json(n, "spec")["nodeSelector"]!["kubernetes.io/hostname"]!));
        Assert.All(nodeSets, n => Assert.Contains("slurm-cluster", n.DependsOn));
        Assert.All(nodeSets, n => Assert.Equal("1", (string)Json(n, "spec")["slurmd"]!["resources"]!["nvidia.com/gpu"]!));

        // The exporter's series reach the observability add-on's Prometheus (its release label).
        var monitor = plan.Single("kubernetes:monitoring.coreos.com/v1:PodMonitor", "slurm-exporter-monitor");
        Assert.Equal(("slurm", "kube-prom-stack"), ((string)Json(monitor, "metadata")["namespace"]!, (string)Json(monitor, "metadata")["labels"]!["release"]!));
        Assert.Equal("exporter", (string)Json(monitor, "spec")["selector"]!["matchLabels"]!["app.kubernetes.io/component"]!);
    }

    [Fact]
    public async Task The_jail_is_an_NFS_volume_on_the_NAS_that_outlives_its_claim()
    {
        var plan = await Lab.Plan(Lab.Prod);
        var volume = Json(plan.Single("kubernetes:core/v1:PersistentVolume", "slurm-jail-volume"), "spec");
        Assert.Equal(("192.168.50.20", "/share/lab/jobs", "Retain"), ((string)volume["nfs"]!["server"]!, (string)volume["nfs"]!["path"]!, (string)volume["persistentVolumeReclaimPolicy"]!));
        var claim = plan.Single("kubernetes:core/v1:PersistentVolumeClaim", "slurm-jail-claim");
        Assert.Equal("lab-slurm-jail", (string)Json(claim, "spec")["volumeName"]!);
        Assert.Equal(("slurm", "jail"), ((string)Json(claim, "metadata")["namespace"]!, (string)Json(claim, "metadata")["name"]!));
    }

    [Fact]
    public async Task The_accounting_database_keeps_its_data_on_the_NAS_and_its_passwords_secret()
    {
        var mocks = new HealthyLabMocks(Lab.Prod);
        var plan = await Lab.Plan(Lab.Prod, mocks);
        // Pulumi makes the passwords; they reach the cluster only as the Secret's (secret) data, and the pod only by reference.
        Assert.Equal(2, plan.Count(r => r.Type == "random:index/randomPassword:RandomPassword" && r.ParentType == SlurmScheduler.TypeToken));
        var secret = (Pulumi.Kubernetes.Types.Inputs.Core.V1.SecretArgs)mocks.ArgsOf("kubernetes:core/v1:Secret", "slurm-accounting-db-secret");
        Assert.True(await Output.IsSecretAsync(((Input<System.Collections.Immutable.ImmutableDictionary<string, string>>)secret.StringData).ToOutput()));
        var deployment = plan.Single("kubernetes:apps/v1:Deployment", "slurm-accounting-db");
        var container = Json(deployment, "spec")["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("docker-registry1.mariadb.com/library/mariadb:12.1.2", (string)container["image"]!);
        var env = container["env"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => e!);
        Assert.Equal(("slurm_acct_db", "slurm"), ((string)env["MARIADB_DATABASE"]["value"]!, (string)env["MARIADB_USER"]["value"]!));
        Assert.All(new[] { "MARIADB_PASSWORD", "MARIADB_ROOT_PASSWORD" }, v => Assert.Equal("lab-slurm-accounting-db", (string)env[v]["valueFrom"]!["secretKeyRef"]!["name"]!));
        Assert.Equal("control", (string)Json(deployment, "spec")["template"]!["spec"]!["nodeSelector"]!["lab.infra/role"]!);

        // Its data: the NAS export through a Retain volume, and Pulumi deletes neither the volume nor its claim.
        var volume = plan.Single("kubernetes:core/v1:PersistentVolume", "slurm-accounting-db-volume");
        Assert.Equal(("/share/lab/slurm-db", "Retain"), ((string)Json(volume, "spec")["nfs"]!["path"]!, (string)Json(volume, "spec")["persistentVolumeReclaimPolicy"]!));
        Assert.True(volume.RetainOnDelete);
        Assert.True(plan.Single("kubernetes:core/v1:PersistentVolumeClaim", "slurm-accounting-db-claim").RetainOnDelete);

        // slurmdbd finds the Secret and the Service when Soperator reconciles accounting.
        var cluster = plan.Single(SlurmCluster, "slurm-cluster");
        Assert.Superset(new HashSet<string> { "slurm-accounting-db-secret", "slurm-accounting-db", "slurm-accounting-db-service" }, cluster.DependsOn.ToHashSet());
        Assert.Equal("lab-slurm-accounting-db", (string)Json(plan.Single("kubernetes:core/v1:Service", "slurm-accounting-db-service"), "metadata")["name"]!);
    }

    [Fact]
    public async Task Dev_runs_no_slurm()
    {
        var plan = await Lab.Plan(Lab.Dev);
        Assert.DoesNotContain(plan, r => r.Type == SlurmScheduler.TypeToken || r.Type.Contains("slurm.nebius.ai", StringComparison.Ordinal) || r.Type == Release);
    }

    [Fact]
    public async Task A_worker_rebuild_leaves_every_slurm_object_and_its_nodeset_brings_the_pod_back_to_the_node()
    {
        var (_, changed) = await RebuildPlan.ChangesAsync(Lab.Prod, "gemini-1");
        // The NodeSet is pinned to the node by hostname: Soperator's Advanced StatefulSet recreates the pod there once
        // the rebuilt node rejoins with its name; nothing of Slurm is replaced, so the other workers keep running.
        Assert.DoesNotContain(changed, r => r.ParentType == SlurmScheduler.TypeToken);
        var plan = await Lab.Plan(Lab.Prod);
        Assert.Equal("gemini-1", (string)Json(plan.Single(NodeSet, "slurm-worker-gemini-1"), "spec")["nodeSelector"]!["kubernetes.io/hostname"]!);
    }

    [Fact]
    public async Task A_control_node_rebuild_recreates_every_slurm_object_on_the_new_cluster()
    {
        var (_, changed) = await RebuildPlan.ChangesAsync(Lab.Prod, "zenon");
        var slurm = (await Lab.Plan(Lab.Prod)).Where(r => r.ParentType == SlurmScheduler.TypeToken).Select(r => r.Name).ToHashSet();
        // 3 charts, namespace, volume, claim, sconfigcontroller's and the exporter's account, role and binding, cluster,
        // 2 NodeSets, the exporter's PodMonitor and the operator's ServiceMonitor, the accounting database (2 passwords, Secret, volume, claim, Deployment,
        // Service), and the gate's key step: a new control node makes a new key pair, and the new SlurmCluster lists its
        // public key. The passwords stay: the database on the NAS keeps the ones it was made with.
        Assert.Equal(25, slurm.Count);
        var passwords = new HashSet<string> { "slurm-accounting-password", "slurm-accounting-root-password" };
        Assert.DoesNotContain(changed, r => passwords.Contains(r.Name));
        Assert.Superset(slurm.Except(passwords).ToHashSet(), changed.Select(r => r.Name).ToHashSet());
    }

    [Fact]
    public async Task The_gate_waits_for_slurm()
    {
        var plan = await Lab.Plan(Lab.Prod.GatedWithSlurm());
        var gate = plan.First(r => r.Type == "kubernetes:core/v1:Namespace" && r.ParentType == "lab:validation:ValidationGate");
        Assert.Contains("slurm-cluster", gate.DependsOn);
        Assert.Contains("slurm-worker-rocinate", gate.DependsOn);
    }

    [Fact]
    public async Task The_gate_logs_in_with_its_own_key_made_on_the_control_node_before_the_slurm_cluster()
    {
        var plan = await Lab.Plan(Lab.Prod.GatedWithSlurm(), new HealthyLabMocks(Lab.Prod.GatedWithSlurm()));
        var step = plan.Single("command:remote:Command", "slurm-slurm-gate-key");
        Assert.Equal("192.168.50.11", JsonNode.Parse(JsonSerializer.Serialize(step.Inputs["connection"]))!["host"]!.ToString());
        Assert.Contains("zenon-addons", step.DependsOn);
        var keys = Json(plan.Single(SlurmCluster, "slurm-cluster"), "spec")["slurmNodes"]!["login"]!["sshRootPublicKeys"]!.AsArray().Select(k => (string)k!).ToList();
        // The operators' keys from the stack, then the gate's: the public key its step printed, and no private key anywhere.
        var lab = LabSpecLoader.Load(Lab.Prod.Stack, Lab.Prod.Config, Lab.Prod.SecretKeys);
        Assert.Equal([.. lab.Slurm!.LoginKeys.Select(k => k.Line), HealthyLabMocks.GateKey], keys);
        Assert.DoesNotContain("PRIVATE KEY", (string)step.Inputs["stdin"]);

        // Without the gate the SlurmCluster lists only the operators' keys, and no key pair is made.
        var ungated = await Lab.Plan(Lab.Prod.GatedWithSlurm().Edit(ConfigKeys.Validation, v => v["mode"] = "off"));
        Assert.DoesNotContain(ungated, r => r.Name == "slurm-slurm-gate-key");
        Assert.Equal(lab.Slurm.LoginKeys.Length, Json(ungated.Single(SlurmCluster, "slurm-cluster"), "spec")["slurmNodes"]!["login"]!["sshRootPublicKeys"]!.AsArray().Count);
    }
}
