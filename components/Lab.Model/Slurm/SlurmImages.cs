using System.Collections.Immutable;

namespace Lab.Model.Slurm;

/// <summary>The container images Soperator runs, by kind, as its 4.1.7 slurm-cluster chart names them (helm/slurm-cluster/values.yaml).</summary>
public static class SlurmImages
{
    public const string Example = "cr.eu-north1.nebius.cloud/soperator/worker_slurmd:4.1.7-slurm25.11.3@sha256:DIGEST";

    /// <summary>
    /// The Soperator releases whose code the lab was checked against (docs/runbooks/slurm.md): 4.1.7, and 4.1.6 before it,
    /// whose CRDs (config/crd/bases) and charts differ from 4.1.7's only in their versions (git diff 4.1.6 4.1.7).
    /// </summary>
    public static readonly string[] Releases = ["4.1.6", "4.1.7"];

    /// <summary>The release a stack runs unless lab:slurm.version names another.</summary>
    public const string DefaultRelease = "4.1.7";

    /// <summary>The container kinds, each pinnable by digest under lab:slurm.images.</summary>
    public static IReadOnlyList<string> Kinds => [.. Upstream(DefaultRelease).Keys];

    /// <summary>
    /// The upstream images of a release (tags: the registry publishes no digests in the chart); a stack pins each by digest
    /// under lab:slurm.images once it has read them from its registry.
    /// </summary>
    public static ImmutableSortedDictionary<string, string> Upstream(string release) => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["slurmctld"] = $"cr.eu-north1.nebius.cloud/soperator/controller_slurmctld:{release}-slurm25.11.3",
        ["slurmd"] = $"cr.eu-north1.nebius.cloud/soperator/worker_slurmd:{release}-slurm25.11.3",
        ["sshd"] = $"cr.eu-north1.nebius.cloud/soperator/login_sshd:{release}-slurm25.11.3",
        ["munge"] = $"cr.eu-north1.nebius.cloud/soperator/munge:{release}-slurm25.11.3",
        // The chart composes REPOSITORY:TAG-cudaVERSION with its default cudaVersion 12.9.0.
        ["populateJail"] = $"cr.eu-north1.nebius.cloud/soperator/populate_jail:{release}-slurm25.11.3-cuda12.9.0",
        ["soperatorExporter"] = $"cr.eu-north1.nebius.cloud/soperator/soperator-exporter:{release}-slurm25.11.3",
        // Its tag is the plain release (images.sConfigController in helm/slurm-cluster/values.yaml).
        ["sConfigController"] = $"cr.eu-north1.nebius.cloud/soperator/sconfigcontroller:{release}",
        ["slurmdbd"] = $"cr.eu-north1.nebius.cloud/soperator/controller_slurmdbd:{release}-slurm25.11.3",
        ["slurmrestd"] = $"cr.eu-north1.nebius.cloud/soperator/slurmrestd:{release}-slurm25.11.3",
        // The accounting database: MariaDB's official image at the tag the chart's images.mariaDB names (4.1.6 and 4.1.7 alike).
        ["mariadb"] = "docker-registry1.mariadb.com/library/mariadb:12.1.2",
    }.ToImmutableSortedDictionary(StringComparer.Ordinal);

    /// <summary>
    /// A NodeSet names its image as repository and tag, and Soperator joins them with ':' (api/v1alpha1 extra_types.go):
    /// a digest rides in the tag ("TAG@sha256:…"), which the runtime resolves by the digest.
    /// </summary>
    public static (string Repository, string Tag) Split(string image)
    {
        var at = image.IndexOf('@');
        var name = at < 0 ? image : image[..at];
        var colon = name.LastIndexOf(':');
        if (colon < 0 || name.IndexOf('/', colon) >= 0)
        {
            throw new ArgumentException($"image '{image}' has no tag.", nameof(image));
        }
        return (name[..colon], image[(colon + 1)..]);
    }
}
