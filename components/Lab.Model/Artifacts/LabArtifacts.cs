using Lab.Model.Nodes;
using Lab.Model.Spec;
using Lab.Model.Storage;
using Lab.Model.Vault;

namespace Lab.Model.Artifacts;

/// <summary>Every artifact the lab's components put on the wire for one spec, for scripts/render.</summary>
public static class LabArtifacts
{
    public static IEnumerable<Artifact> Render(LabSpec spec) =>
        spec.Nodes.SelectMany(node => NodeSteps.Render(spec, node)).Select(s => s.ToArtifact())
            .Concat(NfsMounts.Artifacts(spec))
            .Concat(NasExports.Artifacts(spec))
            .Concat(VaultAgent.Artifacts(spec))
            .Concat(Cluster.MicroK8sSteps.Artifacts(spec))
            .Concat(Monitoring.AlertRuleGroups.Artifacts(spec))
            .Concat(Monitoring.BlackboxProbes.Artifacts(spec))
            .Concat(Monitoring.LabDashboard.Artifacts())
            .Concat(Images.LabImages.Artifacts(spec))
            .Concat(Validation.Collector.Artifacts(spec))
            .Concat(Slurm.SlurmObjects.Artifacts(spec))
            .Concat(Slurm.SlurmObjects.GateArtifacts(spec))
            .Concat(Backups.BackupJobs.Artifacts(spec))
            .Concat(spec.Vault.Roles.Select(r => new Artifact($"vault/policies/{r.PolicyName}.hcl", VaultPolicies.Render(spec.Vault, r))));
}
