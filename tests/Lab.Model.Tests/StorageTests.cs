using Lab.Model.Nodes;
using Lab.Model.Spec;
using Lab.Model.Storage;
using Lab.Model.Text;

namespace Lab.Model.Tests;

public class StorageValidationTests
{
    private static ConfigError Single(IReadOnlyList<ConfigError> errors, string key) => Assert.Single(errors, e => e.Key == key);

    [Fact]
    public void Shipped_stacks_export_the_seed_004_shares_to_every_node()
    {
        var lab = Repo.Prod();
        // Seed 004's shares, then Slurm's accounting database, whose export only the control node may mount.
        Assert.Equal(["datasets", "models", "results", "logs", "jobs", "slurm-db"], lab.Nas.Exports.Select(e => e.Name));
        Assert.All(lab.Nas.Exports, e => Assert.Equal($"/mnt/nfs/{e.Name}", e.MountPoint));
        // Every share squashes root but Slurm's jail, a root filesystem Soperator writes as root, and its database's.
        Assert.All(lab.Nas.Exports, e => Assert.True(e.Sync && e.RootSquash == (e.Name != lab.Slurm!.JailExport && e.Name != lab.Slurm.AccountingExport)));
        // Each node mounts every export whose clients include it: the database's is the control node's alone.
        Assert.All(lab.Nodes, n => Assert.Equal(lab.Nas.Exports.Select(e => e.Name).Where(e => e != "slurm-db" || n == lab.ControlNode), n.Mounts));
    }

    [Fact]
    public void Export_path_must_be_absolute()
    {
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Nas, n => n["exports"]![1]!["path"] = "share/lab/models").Errors();
        Assert.Contains("is not an absolute path on the NAS", Single(errors, "lab:nas.exports[1].path").Problem);
    }

    [Fact]
    public void Export_path_may_not_climb_out()
    {
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Nas, n => n["exports"]![1]!["path"] = "/share/lab/../etc").Errors();
        Assert.Single(errors, e => e.Key == "lab:nas.exports[1].path");
    }

    [Fact]
    public void Duplicate_export_names_are_reported()
    {
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Nas, n =>
        {
            n["exports"]![4]!["name"] = "logs";
            n["exports"]![4]!["mountPoint"] = "/mnt/nfs/jobs";
        }).Errors();
        Assert.Contains("export name 'logs' is used 2 times", Single(errors, "lab:nas.exports").Problem);
    }

    [Theory]
    [InlineData("/mnt/nfs/datasets")]
    [InlineData("/mnt/nfs/datasets/models")]
    [InlineData("/mnt/nfs")]
    public void Overlapping_mount_points_are_reported(string mountPoint)
    {
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Nas, n => n["exports"]![1]!["mountPoint"] = mountPoint).Errors();
        Assert.Contains(errors, e => e.Key == "lab:nas.exports" && e.Problem.Contains("'datasets'") && e.Problem.Contains("'models'") && e.Problem.EndsWith("overlap."));
    }

    [Fact]
    public void Client_network_outside_the_lab_subnet_is_reported()
    {
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Nas, n => n["exports"]![0]!["clients"] = "0.0.0.0/0").Errors();
        Assert.Equal("0.0.0.0/0 reaches outside the lab subnet 192.168.50.0/24.", Single(errors, "lab:nas.exports[0].clients").Problem);
    }

    [Fact]
    public void A_narrower_client_network_inside_the_lab_is_fine()
    {
        var lab = Repo.ProdConfig().Edit(ConfigKeys.Nas, n => n["exports"]![0]!["clients"] = "192.168.50.0/28").Load();
        Assert.Contains("/share/lab/datasets 192.168.50.0/28(", NasExports.File(lab));
    }

    [Fact]
    public void A_node_using_an_unknown_export_is_reported_with_the_known_ones()
    {
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Nodes, n => n[2]!["mounts"] = new System.Text.Json.Nodes.JsonArray("datasets", "checkpoints")).Errors();
        var error = Single(errors, "lab:nodes[2].mounts[1]");
        Assert.Equal("'checkpoints' is not an export of the NAS.", error.Problem);
        Assert.Equal("use one of: datasets, models, results, logs, jobs, slurm-db.", error.Fix);
    }

    [Fact]
    public void An_export_kept_to_one_machine_is_mounted_by_it_alone_and_another_node_asking_for_it_is_refused()
    {
        // prod's Slurm database export admits only the control node (192.168.50.11/32).
        var lab = Repo.Prod();
        Assert.Contains("slurm-db", lab.ControlNode.Mounts);
        Assert.All(lab.Nodes.Where(n => n != lab.ControlNode), n => Assert.DoesNotContain("slurm-db", n.Mounts));
        Assert.All(lab.Nodes.Where(n => n != lab.ControlNode), n => Assert.Contains("jobs", n.Mounts));

        var errors = Repo.ProdConfig().Edit(ConfigKeys.Nodes, n => n[2]!["mounts"] = new System.Text.Json.Nodes.JsonArray("datasets", "slurm-db")).Errors();
        var error = Single(errors, "lab:nodes[2].mounts[1]");
        Assert.Equal("'slurm-db' is exported only to 192.168.50.11/32, which does not include 192.168.50.13: the NAS would refuse the mount.", error.Problem);
        Assert.Contains("drop it from the node's mounts", error.Fix);
    }

    [Fact]
    public void Root_squash_off_needs_the_explicit_flag()
    {
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Nas, n => n["exports"]![2]!["rootSquash"] = false).Errors();
        Assert.Contains("confirmNoRootSquash", Single(errors, "lab:nas.exports[2].rootSquash").Fix);

        var lab = Repo.ProdConfig().Edit(ConfigKeys.Nas, n =>
        {
            n["exports"]![2]!["rootSquash"] = false;
            n["exports"]![2]!["confirmNoRootSquash"] = true;
        }).Load();
        Assert.Contains("/share/lab/results 192.168.50.0/24(rw,sync,no_root_squash,", NasExports.File(lab));
    }

    [Fact]
    public void Mounting_without_nfs_common_pinned_is_reported()
    {
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Versions, v => v["osPackages"]!.AsObject().Remove("nfs-common")).Errors();
        Assert.Contains("nfs-common", Single(errors, "lab:versions.osPackages").Problem);
    }

    [Fact]
    public void A_node_may_mount_nothing_and_then_has_no_storage_step()
    {
        var lab = Repo.ProdConfig().Edit(ConfigKeys.Nodes, n => n[3]!["mounts"] = new System.Text.Json.Nodes.JsonArray()).Load();
        Assert.DoesNotContain(NodeSteps.Render(lab, lab.Nodes[3]), s => s.Step == "storage");
    }
}

public class StorageRenderTests
{
    [Fact]
    public void Exports_file_spells_out_every_option()
    {
        var lab = Repo.ProdConfig().Edit(ConfigKeys.Nas, n =>
        {
            n["exports"]![1]!["access"] = "ro";
            n["exports"]![1]!["sync"] = false;
        }).Load();
        var lines = NasExports.File(lab).Split('\n').Where(l => l.StartsWith('/')).ToList();
        Assert.Equal("/share/lab/datasets 192.168.50.0/24(rw,sync,root_squash,no_subtree_check,sec=sys)", lines[0]);
        Assert.Equal("/share/lab/models 192.168.50.0/24(ro,async,root_squash,no_subtree_check,sec=sys)", lines[1]);
        Assert.Equal(6, lines.Count);
    }

    [Fact]
    public void The_exports_step_says_what_it_unexports_and_never_removes_a_directory()
    {
        var steps = NasExports.Steps(Repo.Prod());
        Assert.Equal(["ready", "export-datasets", "export-models", "export-results", "export-logs", "export-jobs", "export-slurm-db", "exports"], steps.Select(s => s.Step));
        var apply = steps.Last().Text;
        Assert.Contains("echo \"unexported=$path\"", apply);
        Assert.Contains("exportfs -ra", apply);
        Assert.Equal(NasExports.File(Repo.Prod()).ReplaceLineEndings("\n"), steps.Last().Input("exports"));
        Assert.All(steps, s => Assert.DoesNotMatch("rm -r|rmdir|exportfs -u", s.Text));
        Assert.All(steps, s => Assert.DoesNotContain("rm -f \"$path", s.Text));
    }

    [Fact]
    public void A_node_rebuild_renders_the_nas_identically()
    {
        var rebuilt = Repo.ProdConfig().Edit(ConfigKeys.Nodes, n => n[2]!["rebuild"] = 7).Load();
        Assert.Equal(NasExports.Steps(Repo.Prod()).Select(s => s.Hash), NasExports.Steps(rebuilt).Select(s => s.Hash));
    }

    [Fact]
    public void Mount_units_are_nfs_4_2_hard_netdev_noatime_with_an_idle_automount()
    {
        var lab = Repo.Prod();
        var units = NfsMounts.Units(lab, lab.Nodes[0]);
        Assert.Equal(12, units.Count);
        var mount = units.Single(u => u.FileName == "mnt-nfs-models.mount").Content;
        Assert.Contains("What=192.168.50.20:/share/lab/models\n", mount);
        Assert.Contains("Where=/mnt/nfs/models\n", mount);
        Assert.Contains("Type=nfs4\n", mount);
        Assert.Contains("Options=vers=4.2,hard,_netdev,noatime,proto=tcp,timeo=600,retrans=2,rw\n", mount);
        var automount = units.Single(u => u.FileName == "mnt-nfs-models.automount").Content;
        Assert.Contains("TimeoutIdleSec=600\n", automount);
        Assert.Contains("WantedBy=remote-fs.target\n", automount);
    }

    [Fact]
    public void A_read_only_export_mounts_read_only()
    {
        var lab = Repo.ProdConfig().Edit(ConfigKeys.Nas, n => n["exports"]![1]!["access"] = "ro").Load();
        Assert.EndsWith(",ro\nTimeoutSec=30\n", NfsMounts.Units(lab, lab.Nodes[1]).Single(u => u.FileName == "mnt-nfs-models.mount").Content);
        Assert.Equal("[rw, ro, rw, rw, rw]", NfsMounts.Step(lab, lab.Nodes[1]).Input("access"));
    }

    [Theory]
    [InlineData("/mnt/nfs/datasets", "mnt-nfs-datasets")]
    [InlineData("/mnt/nfs/raw-data", @"mnt-nfs-raw\x2ddata")]
    [InlineData("/data/_scratch", "data-_scratch")]
    public void Unit_names_follow_systemd_escape(string path, string unit)
    {
        Assert.Equal(unit, Systemd.EscapePath(path));
    }

    [Fact]
    public void The_storage_step_installs_only_the_nodes_own_mounts_and_removes_only_its_own_units()
    {
        var lab = Repo.ProdConfig().Edit(ConfigKeys.Nodes, n => n[3]!["mounts"] = new System.Text.Json.Nodes.JsonArray("datasets", "results")).Load();
        var step = NfsMounts.Step(lab, lab.Nodes[3]);
        Assert.Equal("[mnt-nfs-datasets, mnt-nfs-results]", step.Input("units"));
        Assert.DoesNotContain("mnt-nfs-models", step.Text);
        Assert.Equal(NfsMounts.Marker, step.Input("marker"));
        Assert.Contains("grep -qxF -- \"$marker\" \"$file\"", step.Text);
    }
}
