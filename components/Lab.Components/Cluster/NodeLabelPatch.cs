using Pulumi;
using Pulumi.Kubernetes.Types.Inputs.Core.V1;

namespace Lab.Components.Cluster;

/// <summary>
/// A server-side apply patch of a cluster Node's labels (kubernetes:core/v1:NodePatch), declaring no outputs: the lab
/// reads none. The SDK's typed NodePatch declares the whole Node (spec and status), which the Pulumi SDK reflects over,
/// type-checks and makes Outputs of for every resource it constructs; a lab has one a node. The engine and the
/// provider see what the typed class sends: the same type token, inputs (NodePatchArgs with its apiVersion and kind)
/// and options, its defaults included (ProviderClassTests compares them).
/// </summary>
public sealed class NodeLabelPatch : CustomResource
{
    public const string TypeToken = "kubernetes:core/v1:NodePatch";

    private static readonly string PluginVersion = Components.PluginVersion.Of(typeof(NodePatchArgs).Assembly);

    public NodeLabelPatch(string name, NodePatchArgs args, CustomResourceOptions options)
        : base(TypeToken, name, WithKind(args), WithSdkDefaults(options))
    {
    }

    /// <summary>The apiVersion and kind the typed class sets on its args.</summary>
    private static NodePatchArgs WithKind(NodePatchArgs args)
    {
        args.ApiVersion = "v1";
        args.Kind = "Node";
        return args;
    }

    /// <summary>The options the typed class merges under a caller's: its plugin version and an empty id (register, not read).</summary>
    private static CustomResourceOptions WithSdkDefaults(CustomResourceOptions options)
    {
        options.Version = PluginVersion;
        options.Id = "";
        return options;
    }
}
