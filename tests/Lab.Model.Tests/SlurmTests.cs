using System.Text.Json.Nodes;
using Lab.Model.Slurm;
using Lab.Model.Spec;

namespace Lab.Model.Tests;

public class SlurmTests
{
    private static ConfigError Single(IReadOnlyList<ConfigError> errors, string key) => Assert.Single(errors, e => e.Key == key);

    /// <summary>An operator's key line as ssh-keygen -t ed25519 writes it, valid for the parser.</summary>
    private const string OperatorKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEZYA1L1Gan0dCcSLq4sehIrmqPNIaWPurviDY4mjDrW operator@lab";

    private static Repo.Config WithSlurm(Action<JsonNode> edit) => Repo.ProdConfig().Edit(ConfigKeys.Slurm, edit);

    [Fact]
    public void Prod_runs_slurm_on_the_nodes_it_lists_and_dev_does_not()
    {
        var prod = Repo.Prod();
        Assert.NotNull(prod.Slurm);
        // Prod's list names the nodes Slurm owns; without a list every GPU node serves Slurm.
        Assert.Equal(["gemini-1", "rocinate"], prod.Slurm!.Workers.Select(w => w.Node));
        var everyNode = Repo.ProdConfig().Edit(ConfigKeys.Slurm, s => s.AsObject().Remove("workers")).Load();
        Assert.Equal(prod.Nodes.Select(n => n.Name), everyNode.Slurm!.Workers.Select(w => w.Node));
        Assert.All(prod.Slurm.Workers, w => Assert.Equal(prod.Nodes.Single(n => n.Name == w.Node).Gpu.Count, w.Gpus));
        Assert.Null(Repo.Dev().Slurm);
    }

    /// <summary>
    /// What Soperator 4.1.7's code needs to start slurmctld, a login node and GPU workers from the rendered objects (each
    /// read at tag 4.1.7; see docs/runbooks/slurm.md): checked structurally, for prod and for every GPU node serving Slurm.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_rendered_cluster_is_what_Soperator_s_reconciler_needs(bool listedWorkers)
    {
        var lab = listedWorkers ? Repo.Prod() : Repo.ProdConfig().Edit(ConfigKeys.Slurm, s => s.AsObject().Remove("workers")).Load();
        var cluster = SlurmObjects.Cluster(lab).Spec;
        var nodeSets = SlurmObjects.NodeSets(lab);
        var filters = ((object[])cluster["k8sNodeFilters"]).Cast<Dictionary<string, object>>().Select(f => (string)f["name"]).ToList();

        // reconcile.go runs sConfigController before slurmctld; pod.go looks its filter up by name, and its size has no default.
        var controller = (Dictionary<string, object>)cluster["sConfigController"];
        var node = (Dictionary<string, object>)controller["node"];
        Assert.Contains((string)node["k8sNodeFilterName"], filters);
        Assert.Equal(1, node["size"]);
        Assert.Equal(SlurmObjects.SConfigControllerAccount, controller["serviceAccountName"]);
        Assert.Equal("cr.eu-north1.nebius.cloud/soperator/sconfigcontroller:4.1.7", ((Dictionary<string, object>)controller["container"])["image"]);

        // The exporter pod runs as spec.slurmNodes.exporter.serviceAccountName (render/exporter/pod.go) and reads the JWT Secret.
        var exporter = (Dictionary<string, object>)((Dictionary<string, object>)cluster["slurmNodes"])["exporter"];
        Assert.Equal(SlurmObjects.ExporterAccount, exporter["serviceAccountName"]);
        Assert.Contains(SlurmObjects.ExporterRules, r => r.ApiGroup == "" && r.Resources.Contains("secrets") && r.Verbs.Contains("get"));

        // Only structured partitions put NodeName lines in slurm.conf (configmap.go): one partition names every NodeSet.
        var partitions = (Dictionary<string, object>)cluster["partitionConfiguration"];
        Assert.Equal("structured", partitions["configType"]);
        var refs = ((object[])partitions["partitions"]).Cast<Dictionary<string, object>>().SelectMany(p => (object[])p["nodeSetRefs"]).Cast<string>().ToList();
        Assert.Equal(lab.Slurm!.Workers.Select(w => SlurmObjects.NodeSetName(w.Node)).Order(), refs.Order());
        Assert.Equal(nodeSets.Select(n => n.Name).Order(), refs.Order());

        foreach (var worker in lab.Slurm.Workers)
        {
            var nodeSet = nodeSets.Single(n => n.Name == SlurmObjects.NodeSetName(worker.Node));
            // A Gres per NodeSet equal to the GPUs it owns (nothing derives it), and the binding to its cluster.
            var config = (Dictionary<string, object>)nodeSet.Spec["nodeConfig"];
            Assert.Equal($"CPUs={worker.Cpus} Gres=gpu:{worker.Gpus}", config["static"]);
            Assert.Equal(worker.Gpus.ToString(), ((Dictionary<string, object>)((Dictionary<string, object>)nodeSet.Spec["slurmd"])["resources"])["nvidia.com/gpu"]);
            Assert.Equal(SlurmObjects.ClusterName, nodeSet.Annotations![SlurmObjects.ParentalClusterAnnotation]);
        }
        // The jail export keeps root: populate-jail and sconfigcontroller write it as root.
        Assert.False(lab.Nas.Export(lab.Slurm.JailExport).RootSquash);
    }

    /// <summary>
    /// The exporter behind SlurmNodeDown and SlurmQueueStuckWithIdleGPUs reads slurmrestd, which Soperator deploys only with
    /// rest.enabled, accounting.enabled and a database (clustercontroller/rest.go, accounting.go), and replicas from rest.size.
    /// </summary>
    [Fact]
    public void REST_with_accounting_and_a_database_wherever_the_exporter_s_alerts_exist()
    {
        var lab = Repo.Prod();
        var exporterAlerts = Monitoring.AlertRuleGroups.Groups(lab).SelectMany(g => g.Rules).Select(r => r.Alert).Where(a => a.StartsWith("Slurm", StringComparison.Ordinal)).ToList();
        Assert.Equal(["SlurmNodeDown", "SlurmQueueStuckWithIdleGPUs"], exporterAlerts);

        var nodes = (Dictionary<string, object>)SlurmObjects.Cluster(lab).Spec["slurmNodes"];
        var rest = (Dictionary<string, object>)nodes["rest"];
        var accounting = (Dictionary<string, object>)nodes["accounting"];
        Assert.True((bool)rest["enabled"] && (bool)accounting["enabled"]);
        Assert.Equal(1, rest["size"]);
        Assert.Equal(lab.Slurm!.Images["slurmrestd"], ((Dictionary<string, object>)rest["rest"])["image"]);
        Assert.Equal(lab.Slurm.Images["slurmdbd"], ((Dictionary<string, object>)accounting["slurmdbd"])["image"]);
        Assert.Equal(((Dictionary<string, object>)nodes["exporter"])["k8sNodeFilterName"], rest["k8sNodeFilterName"]);

        // The database is the lab's own MariaDB: slurmdbd reaches its Service, as its user, with the password of its Secret.
        var db = (Dictionary<string, object>)accounting["externalDB"];
        Assert.True((bool)db["enabled"]);
        Assert.Equal(("lab-slurm-accounting-db.slurm.svc", 3306, "slurm"), ((string)db["host"], (int)db["port"], (string)db["user"]));
        var password = (Dictionary<string, object>)db["passwordSecretKeyRef"];
        Assert.Equal((SlurmObjects.Database.Secret, SlurmObjects.Database.PasswordKey), ((string)password["name"], (string)password["key"]));
        Assert.False(accounting.ContainsKey("mariadbOperator"));

        var database = SlurmObjects.AccountingDatabase(lab);
        Assert.Equal("docker-registry1.mariadb.com/library/mariadb:12.1.2", database.Image);
        Assert.Equal(("192.168.50.20", "/share/lab/slurm-db"), (database.Volume.Server, database.Volume.Path));
        Assert.NotEqual(lab.Nas.Export(lab.Slurm.JailExport).Path, database.Volume.Path);
    }

    [Fact]
    public void An_accounting_export_that_is_missing_shared_with_the_jail_or_squashing_root_is_refused()
    {
        Assert.Contains("lab:slurm.accountingExport", Single(WithSlurm(s => s.AsObject().Remove("accountingExport")).Errors(), "lab:slurm.accountingExport").Fix);
        var shared = Single(WithSlurm(s => s["accountingExport"] = "jobs").Errors(), "lab:slurm.accountingExport");
        Assert.StartsWith("is the jail's export 'jobs'", shared.Problem);
        Assert.Contains("set lab:slurm.accountingExport: slurm-db", shared.Fix);
        var unknown = Single(WithSlurm(s => s["accountingExport"] = "mysql").Errors(), "lab:slurm.accountingExport");
        Assert.Contains("'mysql' is not an export of the NAS", unknown.Problem);
        var squashed = Single(Repo.ProdConfig().Edit(ConfigKeys.Nas, n =>
        {
            var db = n["exports"]!.AsArray().Single(e => (string?)e!["name"] == "slurm-db")!.AsObject();
            db.Remove("rootSquash");
            db.Remove("confirmNoRootSquash");
        }).Errors(), "lab:slurm.accountingExport");
        Assert.Contains("squashes root, but MariaDB's entrypoint chowns its data directory as root", squashed.Problem);
        Assert.Contains("on lab:nas.exports[5] ('slurm-db')", squashed.Fix);
    }

    /// <summary>
    /// The add-on's Prometheus selects monitors by their release label; helm/soperator's own ServiceMonitor can carry none
    /// (servicemonitor.yaml reads no labels value), so the lab's scrapes of the operator and of the exporter carry it.
    /// </summary>
    [Fact]
    public void The_operator_and_the_exporter_are_scraped_by_monitors_the_lab_s_prometheus_selects()
    {
        var prod = Repo.Prod();
        foreach (var monitor in new[] { SlurmObjects.OperatorServiceMonitor(prod), SlurmObjects.ExporterPodMonitor(prod) })
        {
            Assert.Equal(Lab.Model.Cluster.Addons.PrometheusRuleRelease, monitor.Labels!["release"]);
        }
        var operatorMonitor = SlurmObjects.OperatorServiceMonitor(prod);
        Assert.Equal(SlurmObjects.OperatorNamespace, operatorMonitor.Namespace);
        // metrics-service.yaml labels its Service "{soperator.name}-metrics", the chart's name when nameOverride is unset.
        var selector = (Dictionary<string, object>)((Dictionary<string, object>)operatorMonitor.Spec["selector"])["matchLabels"];
        Assert.Equal("helm-soperator-metrics", selector["app.kubernetes.io/name"]);
        var chart = SlurmObjects.Charts(prod).Single(c => c.Release == "soperator");
        Assert.EndsWith("/helm-soperator", chart.Chart);
        Assert.DoesNotContain("nameOverride", chart.Values.Keys);
        Assert.Equal(true, ((Dictionary<string, object>)chart.Values["serviceMonitor"])["enabled"]);
    }

    /// <summary>
    /// Soperator's reboot.sh refuses unless /run/nvidia/driver is a mountpoint, then chroots there and enters PID 1's
    /// namespaces to reboot; its drain scripts chroot there for nvidia-smi. With the host driver that root is the host's.
    /// </summary>
    [Fact]
    public void Each_worker_sees_the_host_root_read_only_where_soperators_scripts_look_for_the_driver()
    {
        var prod = Repo.Prod();
        foreach (var nodeSet in SlurmObjects.NodeSets(prod))
        {
            var volumes = (Dictionary<string, object>)((Dictionary<string, object>)nodeSet.Spec["slurmd"])["volumes"];
            var mount = (Dictionary<string, object>)Assert.Single((object[])volumes["customVolumeMounts"]);
            Assert.Equal("/run/nvidia/driver", mount["mountPath"]);
            Assert.Equal(true, mount["readOnly"]);
            var hostPath = (Dictionary<string, object>)((Dictionary<string, object>)mount["volumeSource"])["hostPath"];
            Assert.Equal("/", hostPath["path"]);
            Assert.Equal("Directory", hostPath["type"]);
        }
    }

    /// <summary>Every request Slurm puts on a node, plus the system's reserve, stays within what the node's spec says it has.</summary>
    [Fact]
    public void Requests_on_each_node_fit_its_spec()
    {
        var prod = Repo.Prod();
        var nodeSets = SlurmObjects.NodeSets(prod);
        foreach (var node in prod.Nodes)
        {
            var total = SlurmSizing.Total(prod.Slurm!, node);
            Assert.True(total.MilliCpus <= node.Cpus * 1000, $"{node.Name}: {total.MilliCpus}m of {node.Cpus} CPUs");
            Assert.True(total.MemoryMib <= node.MemoryGb * 1024L, $"{node.Name}: {total.MemoryMib} MiB of {node.MemoryGb} GB");
            // The NodeSet asks for exactly the worker's share, and for the node's whole GPUs.
            if (!prod.Slurm!.Serves(node.Name))
            {
                Assert.DoesNotContain(nodeSets, s => s.Name == SlurmObjects.NodeSetName(node.Name));
                continue;
            }
            var slurmd = (Dictionary<string, object>)nodeSets.Single(s => s.Name == SlurmObjects.NodeSetName(node.Name)).Spec["slurmd"];
            var resources = (Dictionary<string, object>)slurmd["resources"];
            Assert.Equal(node.Gpu.Count.ToString(), resources["nvidia.com/gpu"]);
        }
        // The control node carries slurmctld, login and exporter: its worker gets less than a twin's.
        var zenon = SlurmSizing.DefaultWorker(prod.Nodes.Single(n => n.Name == "zenon"));
        var twin = prod.Slurm!.Workers.Single(w => w.Node == "gemini-1");
        Assert.True(zenon.Cpus < twin.Cpus - 4);
        Assert.Equal(["gemini-1:17:119", "rocinate:37:119"], prod.Slurm.Workers.Select(w => $"{w.Node}:{w.Cpus}:{w.MemoryGb}"));
    }

    [Fact]
    public void Slurm_nodes_get_whole_GPUs_and_the_gate_s_GPU_probes_follow_the_split()
    {
        // Prod's Slurm nodes (gemini-1, rocinate) select the "whole" config; the time-sliced "any" stays every other node's default.
        var lab = Repo.GatedProdWithSlurmConfig().Load();
        Assert.Equal(Cluster.MicroK8sSteps.WholeGpuConfig, Cluster.MicroK8sSteps.DevicePluginConfigs(lab)["whole"]);
        Assert.Contains("replicas: 4", Cluster.MicroK8sSteps.DevicePluginConfigs(lab)["any"]);
        Assert.Equal(["gemini-1", "rocinate"], lab.Nodes.Where(n => SlurmObjects.NodeLabels(lab, n).GetValueOrDefault("nvidia.com/device-plugin.config") == "whole").Select(n => n.Name));

        // Kubernetes GPU probes measure only the time-sliced nodes; with Slurm off, every GPU node is measured.
        Assert.Equal(["zenon", "derpy"], Validation.Probes.For(lab).Where(p => p.Name.StartsWith("gpu-util-", StringComparison.Ordinal)).Select(p => p.Node));
        var onEveryNode = Repo.GatedProdWithSlurmConfig().Edit(ConfigKeys.Slurm, s => s.AsObject().Remove("workers")).Load();
        Assert.DoesNotContain(Validation.Probes.For(onEveryNode), p => p.Gpu);
        var probesWithoutSlurm = Validation.Probes.For(Repo.GatedProd());
        Assert.Equal(["zenon", "gemini-1", "derpy", "rocinate"], probesWithoutSlurm.Where(p => p.Name.StartsWith("gpu-util-", StringComparison.Ordinal)).Select(p => p.Node));
        Assert.Empty(SlurmObjects.NodeLabels(Repo.GatedProd(), Repo.GatedProd().Nodes[0]));
        Assert.Equal(["any"], Cluster.MicroK8sSteps.DevicePluginConfigs(Repo.GatedProd()).Keys);
    }

    [Fact]
    public void Non_worker_pods_request_far_less_than_the_chart_defaults()
    {
        // The chart's defaults: login ×2 at 3.5 CPU / 9.5 GiB each, about 10 CPU and 24 GiB for the non-worker pods (the
        // lab's include accounting: slurmdbd, slurmrestd and MariaDB).
        Assert.True(SlurmSizing.ControlPods.MilliCpus <= 4000);
        Assert.True(SlurmSizing.ControlPods.MemoryMib <= 9 * 1024);
    }

    [Fact]
    public void A_worker_asking_for_more_than_its_node_has_is_refused()
    {
        var errors = WithSlurm(s => s["workers"] = new JsonArray(new JsonObject { ["node"] = "gemini-1", ["cpus"] = 19, ["memoryGb"] = 200, ["gpus"] = 2 })).Errors();
        Assert.Contains("has 1 GPU (RTX A5500), not 2", Single(errors, "lab:slurm.workers[0].gpus").Problem);
        Assert.Equal("set gpus to 1 (the whole node).", Single(errors, "lab:slurm.workers[0].gpus").Fix);
        errors = WithSlurm(s => s["workers"] = new JsonArray(new JsonObject { ["node"] = "gemini-1", ["cpus"] = 19, ["memoryGb"] = 200 })).Errors();
        Assert.Contains("at most 17, not 19", Single(errors, "lab:slurm.workers[0].cpus").Problem);
        Assert.Contains("at most 119 GiB, not 200", Single(errors, "lab:slurm.workers[0].memoryGb").Problem);
        Assert.Contains("request at most 119 memoryGb", Single(errors, "lab:slurm.workers[0].memoryGb").Fix);
    }

    [Fact]
    public void A_worker_with_fewer_gpus_than_its_node_is_refused()
    {
        // Soperator's worker mounts every GPU of its node into the jail (complement_jail.sh: --device=all).
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Nodes, n => n[1]!["gpu"]!["count"] = 2)
            .Edit(ConfigKeys.Slurm, s => s["workers"] = new JsonArray(new JsonObject { ["node"] = "gemini-1", ["gpus"] = 1 })).Errors();
        var error = Single(errors, "lab:slurm.workers[0].gpus");
        Assert.Equal("is 1 of 'gemini-1''s 2 GPUs, but Soperator's worker mounts every GPU of its node into the jail, so the others would be shared with Kubernetes pods.", error.Problem);
        Assert.StartsWith("set gpus to 2 (the whole node)", error.Fix);
    }

    [Fact]
    public void A_jail_export_that_squashes_root_is_refused()
    {
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Nas, n =>
        {
            var jobs = n["exports"]!.AsArray().Single(e => (string?)e!["name"] == "jobs")!.AsObject();
            jobs.Remove("rootSquash");
            jobs.Remove("confirmNoRootSquash");
        }).Errors();
        var error = Single(errors, "lab:slurm.jailExport");
        Assert.Contains("squashes root", error.Problem);
        Assert.Contains("set rootSquash: false and confirmNoRootSquash: true on lab:nas.exports[", error.Fix);
    }

    [Theory]
    [InlineData("observability")]
    [InlineData("hostpath-storage")]
    [InlineData("nvidia")]
    public void Slurm_without_an_add_on_it_stands_on_is_refused(string addon)
    {
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Cluster, c =>
            c["addons"] = new JsonArray([.. c["addons"]!.AsArray().Select(a => (string)a!).Where(a => a != addon && !(addon == "hostpath-storage" && a == "observability")).Select(a => (JsonNode)a)])).Errors();
        Assert.Contains(errors, e => e.Key == "lab:slurm.enabled" && e.Problem.EndsWith($"lab:cluster.addons has no '{addon}'.", StringComparison.Ordinal) && e.Fix.StartsWith($"add {addon} to lab:cluster.addons", StringComparison.Ordinal));
    }

    [Fact]
    public void A_listed_worker_within_its_node_replaces_the_default()
    {
        var lab = WithSlurm(s => s["workers"] = new JsonArray(new JsonObject { ["node"] = "rocinate", ["cpus"] = 20, ["memoryGb"] = 64 })).Load();
        Assert.Equal(new SlurmWorkerSpec("rocinate", 20, 64, 1), lab.Slurm!.Workers.Single(w => w.Node == "rocinate"));
        // A list names every node Slurm owns: the unlisted GPU nodes keep their time-sliced GPUs.
        Assert.Equal(["rocinate"], lab.Slurm.Workers.Select(w => w.Node));
    }

    [Fact]
    public void A_worker_on_an_unknown_node_is_refused()
    {
        var errors = WithSlurm(s => s["workers"] = new JsonArray(new JsonObject { ["node"] = "gemini-3", ["cpus"] = 4, ["memoryGb"] = 8 })).Errors();
        Assert.Contains("name one of: zenon, gemini-1, derpy, rocinate", Single(errors, "lab:slurm.workers[0].node").Fix);
    }

    [Fact]
    public void An_unknown_worker_node_in_a_large_lab_lists_the_first_names_and_how_many_more()
    {
        // Prod's four nodes and 26 more on the same /24.
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Nodes, n =>
        {
            for (var i = 0; i < 26; i++)
            {
                var node = n[3]!.DeepClone();
                node["name"] = $"extra-{i:D2}";
                node["host"] = $"192.168.50.{100 + i}";
                node.AsObject().Remove("hostKey");
                n.AsArray().Add(node);
            }
        }).Edit(ConfigKeys.Slurm, s => s["workers"] = new JsonArray(new JsonObject { ["node"] = "gemini-3" })).Errors();
        Assert.Equal("name one of: zenon, gemini-1, derpy, rocinate, extra-00, extra-01, extra-02, extra-03 and 22 more.", Single(errors, "lab:slurm.workers[0].node").Fix);
    }

    [Fact]
    public void Slurm_needs_each_node_s_cpu_count()
    {
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Nodes, n => n[2]!.AsObject().Remove("cpus")).Errors();
        Assert.Contains("add cpus: N (what nproc prints on derpy)", Single(errors, "lab:nodes[2].cpus").Fix);
    }

    [Theory]
    [InlineData("ssh-ed25519 not-base64!", "not base64")]
    [InlineData("-----BEGIN OPENSSH PRIVATE KEY-----", "has key type")]
    [InlineData("hostname ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEZYA1L1Gan0dCcSLq4sehIrmqPNIaWPurviDY4mjDrW", "known_hosts line")]
    public void A_login_key_that_is_not_an_SSH_public_key_is_refused(string key, string problem)
    {
        var errors = WithSlurm(s => s["loginKeys"] = new JsonArray(OperatorKey, key)).Errors();
        var error = Single(errors, "lab:slurm.loginKeys[1]");
        Assert.Contains(problem, error.Problem);
        Assert.Contains("never a private key", error.Fix);
    }

    [Fact]
    public void Login_keys_reach_the_login_nodes_without_their_comment()
    {
        var lab = WithSlurm(s => s["loginKeys"] = new JsonArray(OperatorKey)).Load();
        var login = (Dictionary<string, object>)((Dictionary<string, object>)SlurmObjects.Cluster(lab).Spec["slurmNodes"])["login"];
        Assert.Equal([OperatorKey[..OperatorKey.LastIndexOf(' ')]], (object[])login["sshRootPublicKeys"]);
        Assert.Equal("NodePort", login["sshdServiceType"]);
        Assert.Equal(30022, login["sshdServiceNodePort"]);
    }

    [Fact]
    public void A_jail_export_that_is_missing_or_read_only_is_refused()
    {
        var errors = WithSlurm(s => s["jailExport"] = "scratch").Errors();
        Assert.Contains("'scratch' is not an export of the NAS", Single(errors, "lab:slurm.jailExport").Problem);
        Assert.Contains("datasets, models, results, logs, jobs", Single(errors, "lab:slurm.jailExport").Fix);

        errors = Repo.ProdConfig().Edit(ConfigKeys.Nas, n => n["exports"]![4]!["access"] = "ro").Errors();
        Assert.Contains("export 'jobs' is read-only", Single(errors, "lab:slurm.jailExport").Problem);
    }

    [Fact]
    public void The_jail_is_the_NAS_export_through_an_NFS_volume()
    {
        var prod = Repo.Prod();
        var jail = SlurmObjects.Jail(prod);
        Assert.Equal(("192.168.50.20", "/share/lab/jobs", "2048Gi"), (jail.Server, jail.Path, jail.Capacity));
        Assert.Contains("hard", jail.MountOptions);
        Assert.DoesNotContain("_netdev", jail.MountOptions);
    }

    [Fact]
    public void Images_pinned_by_the_stack_must_carry_a_digest_and_reach_the_NodeSets()
    {
        var errors = WithSlurm(s => s["images"] = new JsonObject { ["slurmd"] = "cr.eu-north1.nebius.cloud/soperator/worker_slurmd:4.1.7-slurm25.11.3" }).Errors();
        Assert.Contains("is not pinned by digest", Single(errors, "lab:slurm.images.slurmd").Problem);

        var digest = new string('a', 64);
        var lab = WithSlurm(s => s["images"] = new JsonObject { ["slurmd"] = $"registry.lab.internal/soperator/worker_slurmd:4.1.7-slurm25.11.3@sha256:{digest}" }).Load();
        var image = (Dictionary<string, object>)((Dictionary<string, object>)SlurmObjects.NodeSets(lab)[0].Spec["slurmd"])["image"];
        // Soperator joins repository and tag with ':' (api/v1alpha1/extra_types.go): the digest rides in the tag.
        Assert.Equal("registry.lab.internal/soperator/worker_slurmd", image["repository"]);
        Assert.Equal($"4.1.7-slurm25.11.3@sha256:{digest}", image["tag"]);
    }

    [Fact]
    public void The_release_sets_both_charts_the_cluster_s_crVersion_and_the_image_tags()
    {
        var previous = WithSlurm(s => s["version"] = "4.1.6").Load();
        Assert.Equal(["4.1.6", "4.1.6"], SlurmObjects.Charts(previous).Skip(1).Select(c => c.Version));
        Assert.Equal("4.1.6", SlurmObjects.Cluster(previous).Spec["crVersion"]);
        Assert.Equal("cr.eu-north1.nebius.cloud/soperator/sconfigcontroller:4.1.6", previous.Slurm!.Images["sConfigController"]);
        Assert.Equal("cr.eu-north1.nebius.cloud/soperator/worker_slurmd:4.1.6-slurm25.11.3", previous.Slurm.Images["slurmd"]);
    }

    [Fact]
    public void A_release_the_lab_was_not_checked_against_is_refused()
    {
        var error = Single(WithSlurm(s => s["version"] = "4.2.0").Errors(), "lab:slurm.version");
        Assert.StartsWith("'4.2.0' is not a Soperator release the lab was checked against", error.Problem);
        Assert.StartsWith("name one of 4.1.6, 4.1.7;", error.Fix);
    }

    [Fact]
    public void An_unknown_slurm_setting_suggests_the_intended_one()
    {
        var errors = WithSlurm(s => s["jailExprot"] = "jobs").Errors();
        Assert.Contains("did you mean 'jailExport'", Single(errors, "lab:slurm.jailExprot").Fix);
    }

    [Fact]
    public void Charts_are_pinned_to_the_versions_read_upstream()
    {
        var charts = SlurmObjects.Charts(Repo.Prod());
        // The CRDs as a release of their own before the operator, whose crds/ Helm would install once and never upgrade.
        Assert.Equal(
            ["cert-manager cert-manager v1.19.1 https://charts.jetstack.io False",
             "soperator-crds oci://cr.eu-north1.nebius.cloud/soperator/helm-soperator-crds 4.1.7  False",
             "soperator oci://cr.eu-north1.nebius.cloud/soperator/helm-soperator 4.1.7  True"],
            charts.Select(c => $"{c.Release} {c.Chart} {c.Version} {c.Repository} {c.SkipCrds}"));
        var soperator = charts[2].Values;
        // OpenKruise 1.8.0 comes as helm-soperator 4.1.7's own dependency (helm/soperator/Chart.yaml), off unless asked for.
        Assert.Equal(true, ((Dictionary<string, object>)soperator["kruise"])["installOperator"]);
    }
}

/// <summary>
/// Every rendered custom resource against the required fields of the CRDs of nebius/soperator at tag 4.1.7
/// (config/crd/bases/slurm.nebius.ai_slurmclusters.yaml and slurm.nebius.ai_nodesets.yaml, the served and
/// stored versions v1 and v1alpha1): the lists below are facts read there, for every object the lab renders.
/// </summary>
public class SlurmCrdTests
{
    /// <summary>path (dot-separated, [] for list items) → required fields, as the CRD's openAPIV3Schema says.</summary>
    private static readonly Dictionary<string, string[]> SlurmClusterV1 = new()
    {
        ["spec"] = ["k8sNodeFilters", "populateJail", "secrets", "slurmNodes"],
        ["spec.k8sNodeFilters[]"] = ["name"],
        ["spec.volumeSources[]"] = ["name"],
        ["spec.volumeSources[].persistentVolumeClaim"] = ["claimName"],
        ["spec.populateJail"] = ["image", "k8sNodeFilterName"],
        ["spec.slurmNodes"] = ["accounting", "controller", "exporter", "login", "rest"],
        ["spec.slurmNodes.accounting"] = ["k8sNodeFilterName"],
        ["spec.slurmNodes.rest"] = ["k8sNodeFilterName"],
        ["spec.slurmNodes.controller"] = ["k8sNodeFilterName", "munge", "slurmctld", "volumes"],
        ["spec.slurmNodes.controller.munge"] = ["image"],
        ["spec.slurmNodes.controller.slurmctld"] = ["image"],
        ["spec.slurmNodes.controller.volumes"] = ["jail", "spool"],
        ["spec.slurmNodes.exporter"] = ["k8sNodeFilterName"],
        ["spec.slurmNodes.exporter.exporterContainer"] = ["image"],
        ["spec.slurmNodes.exporter.munge"] = ["image"],
        ["spec.slurmNodes.exporter.volumes"] = ["jail"],
        ["spec.slurmNodes.login"] = ["k8sNodeFilterName", "munge", "sshRootPublicKeys", "sshd", "sshdServiceType", "volumes"],
        ["spec.slurmNodes.login.munge"] = ["image"],
        ["spec.slurmNodes.login.sshd"] = ["image"],
        ["spec.slurmNodes.login.volumes"] = ["jail"],
    };

    private static readonly Dictionary<string, string[]> NodeSetV1Alpha1 = new()
    {
        ["spec"] = ["munge", "slurmd"],
        ["spec.munge"] = ["image", "resources"],
        ["spec.munge.image"] = ["repository"],
        ["spec.slurmd"] = ["image", "resources", "volumes"],
        ["spec.slurmd.image"] = ["repository"],
        ["spec.slurmd.volumes"] = ["jail", "spool"],
        ["spec.slurmd.volumes.jail.persistentVolumeClaim"] = ["claimName"],
    };

    [Fact]
    public void Every_rendered_custom_resource_has_the_fields_its_CRD_requires()
    {
        var prod = Repo.Prod();
        var resources = SlurmObjects.NodeSets(prod).Prepend(SlurmObjects.Cluster(prod)).ToList();
        Assert.Equal(1 + prod.Slurm!.Workers.Length, resources.Count);
        foreach (var resource in resources)
        {
            var (group, version) = (resource.ApiVersion.Split('/')[0], resource.ApiVersion.Split('/')[1]);
            Assert.Equal("slurm.nebius.ai", group);
            var facts = (resource.Kind, version) switch
            {
                ("SlurmCluster", "v1") => SlurmClusterV1,
                ("NodeSet", "v1alpha1") => NodeSetV1Alpha1,
                _ => throw new Xunit.Sdk.XunitException($"{resource.Kind} {resource.ApiVersion} is not a kind and version Soperator 4.1.7 serves."),
            };
            var missing = Missing(new Dictionary<string, object> { ["spec"] = resource.Spec }, facts).ToList();
            Assert.True(missing.Count == 0, $"{resource.Kind} {resource.Name} lacks: {string.Join(", ", missing)}");
        }
    }

    [Fact]
    public void The_check_finds_a_missing_required_field()
    {
        var cluster = SlurmObjects.Cluster(Repo.Prod());
        var login = (Dictionary<string, object>)((Dictionary<string, object>)cluster.Spec["slurmNodes"])["login"];
        login.Remove("sshdServiceType");
        Assert.Equal(["spec.slurmNodes.login.sshdServiceType"], Missing(new Dictionary<string, object> { ["spec"] = cluster.Spec }, SlurmClusterV1));
    }

    /// <summary>Each required field absent where its parent object is present (the API server's own rule).</summary>
    private static IEnumerable<string> Missing(Dictionary<string, object> root, Dictionary<string, string[]> facts)
    {
        foreach (var (path, required) in facts)
        {
            foreach (var obj in At(root, path.Split('.')))
            {
                foreach (var field in required.Where(f => !obj.ContainsKey(f)))
                {
                    yield return $"{path}.{field}";
                }
            }
        }
    }

    private static IEnumerable<Dictionary<string, object>> At(object node, IEnumerable<string> path)
    {
        var steps = path.ToList();
        if (steps.Count == 0)
        {
            if (node is Dictionary<string, object> d)
            {
                yield return d;
            }
            yield break;
        }
        var step = steps[0];
        var list = step.EndsWith("[]", StringComparison.Ordinal);
        var name = list ? step[..^2] : step;
        if (node is not Dictionary<string, object> obj || !obj.TryGetValue(name, out var child))
        {
            yield break;
        }
        var children = list ? ((IEnumerable<object>)child).ToList() : [child];
        foreach (var found in children.SelectMany(c => At(c, steps.Skip(1))))
        {
            yield return found;
        }
    }
}
