using System.Collections.Immutable;
using Lab.Components.Nodes;
using Lab.Components.Storage;
using Lab.Model.Nodes;
using Lab.Model.Spec;
using Lab.Model.Storage;
using Pulumi;

namespace Lab.Infra;

/// <summary>
/// The composition root: validates the stack's lab spec before any resource exists, then hands
/// each component its slice of the spec and the outputs it depends on.
/// </summary>
public sealed class LabStack : Stack
{
    /// <summary>Per node: GPU model, driver release and kernel as the node reported them.</summary>
    [Output("nodes")] public Output<ImmutableDictionary<string, ImmutableDictionary<string, string>>> Nodes { get; private set; }

    public LabStack() : this(null)
    {
    }

    public LabStack(StackOptions? options) : base(options)
    {
        var lab = LoadSpec(Deployment.Instance.StackName, StackConfig.FromEnvironment());
        Input<string>? privateKey = null;
        if (lab.Ssh.Auth == SshAuth.Key)
        {
            privateKey = new Config(ConfigKeys.Namespace).RequireSecret("sshPrivateKey");
        }

        SshTarget Ssh(System.Net.IPAddress host) => new() { Host = host.ToString(), Port = lab.Ssh.Port, User = lab.Ssh.User, PrivateKey = privateKey };

        var nas = new NasStorage(lab.Nas.Name, new NasStorageArgs { Ssh = Ssh(lab.Nas.Host), Steps = NasExports.Steps(lab) });

        var nodes = lab.Nodes.Select(node => (node.Name, Resource: new BareMetalNode(node.Name, new BareMetalNodeArgs
        {
            Ssh = Ssh(node.Host),
            Steps = NodeSteps.Render(lab, node),
            Rebuild = node.Rebuild,
            StepsAfter = new Dictionary<string, Resource> { ["storage"] = nas.Exports },
        }))).ToList();

        Nodes = Output.All(nodes.Select(n => Output.Tuple(n.Resource.GpuModel, n.Resource.DriverVersion, n.Resource.Kernel)
                .Apply(t => (n.Name, Facts: ImmutableDictionary<string, string>.Empty
                    .Add("gpuModel", t.Item1).Add("driverVersion", t.Item2).Add("kernel", t.Item3)))))
            .Apply(all => all.ToImmutableDictionary(n => n.Name, n => n.Facts));
    }

    /// <summary>Config errors stop the run with the list of what to fix, not a stack trace.</summary>
    private static LabSpec LoadSpec(string stack, StackConfig config)
    {
        try
        {
            return LabSpecLoader.Load(stack, config.Values, config.SecretKeys);
        }
        catch (LabConfigException e)
        {
            throw new RunException(e.Message);
        }
    }
}
