using Pulumi;
using Pulumi.Command.Remote;

namespace Lab.Components.Nodes;

/// <summary>
/// A remote step's pulumi-command Command (command:remote:Command), declaring the one output the lab reads: what
/// the step printed. The SDK's typed Command declares nine, and the Pulumi SDK reflects over and type-checks each
/// one and makes an Output of it for every resource it constructs: 98 KB a Command under mocks where this takes
/// 59 KB, and most of a 1,000-node plan's time (docs/performance.md). The engine and the provider see what the SDK's
/// class sends: the same type token, inputs (CommandArgs) and options, its defaults included (ProviderClassTests).
/// </summary>
public sealed class StepCommand : CustomResource
{
    public const string TypeToken = "command:remote:Command";

    /// <summary>What the step's script printed: its facts and results (secret where the step is).</summary>
    [Output("stdout")]
    public Output<string> Stdout { get; private set; } = null!;

    public StepCommand(string name, CommandArgs args, CustomResourceOptions options)
        : base(TypeToken, name, args, WithSdkDefaults(options))
    {
    }

    private static readonly string PluginVersion = Components.PluginVersion.Of(typeof(CommandArgs).Assembly);

    /// <summary>
    /// The options the SDK's Command merges under a caller's: its plugin version, its connection (the private key)
    /// secret in state, a replacement whenever a trigger changes (a step runs again when its script does), and an
    /// empty id (the engine registers the resource rather than reading an existing one).
    /// </summary>
    private static CustomResourceOptions WithSdkDefaults(CustomResourceOptions options)
    {
        options.Version = PluginVersion;
        options.AdditionalSecretOutputs.Insert(0, "connection");
        options.ReplaceOnChanges.Insert(0, "triggers[*]");
        options.Id = "";
        return options;
    }
}
