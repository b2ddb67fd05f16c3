using System.Runtime.CompilerServices;
using Lab.Model.Nodes;
using Pulumi;
using Pulumi.Command.Remote;

namespace Lab.Components.Nodes;

/// <summary>One rendered step as a remote command: the script travels on stdin to root bash.</summary>
internal static class RemoteStep
{
    /// <summary>A step's triggers: its script's hash and the generations (rebuild) that must re-run it.</summary>
    public static InputList<object> Triggers(StepScript step, params Input<int>[] generations) =>
        (Input<object>[])[step.Hash, .. generations.Select(g => Generations.GetValue(g, static g => g.Apply(v => (object)v)))];

    // A generation as a trigger, made once for all the steps it re-runs: InputList's Add and Concat make several
    // Outputs each, and every step of a node had its own copy of the node's generation.
    private static readonly ConditionalWeakTable<Input<int>, Input<object>> Generations = [];

    /// <param name="triggers">Values whose change replaces the step (re-runs it from scratch); null: a script change re-runs it in place.</param>
    /// <param name="retainOnDelete">Leave the step's work in place when it leaves the program (data-bearing steps).</param>
    /// <param name="secretLines">Secret lines the script reads after itself on stdin (StepScript.RenderReadingSecrets).</param>
    /// <param name="secretOutput">The step prints secret material (a kubeconfig): keep its output secret and off the console.</param>
    /// <param name="input">A document the script reads after itself on stdin (StepScript.RenderReadingInput); a change re-runs the step.</param>
    public static StepCommand Create(Resource parent, string name, SshTarget ssh, StepScript step, bool waitForBoot,
        InputList<object>? triggers, IEnumerable<Resource> dependsOn, bool retainOnDelete = false, Output<string>? secretLines = null,
        bool secretOutput = false, Output<string>? input = null)
    {
        var secret = secretOutput || secretLines is not null;
        return new($"{name}-{step.Step}", Args(ssh, step, waitForBoot, triggers, secretLines ?? input, secret), new CustomResourceOptions
        {
            Parent = parent,
            DependsOn = Dependencies.Of(dependsOn),
            RetainOnDelete = retainOnDelete ? true : null,
            // Whatever a secret-bearing step prints stays secret in state and out of the console.
            AdditionalSecretOutputs = secret ? ["stdout", "stderr"] : [],
            // pulumi-go-provider (cancel.Wrap, v1.3.0 under pulumi-command 1.2.1) turns the operation's timeout into
            // the context deadline its unlimited dial retries stop at: the boot wait is this long, whatever the backoff.
            CustomTimeouts = waitForBoot ? new CustomTimeouts { Create = ssh.BootTimeout, Update = ssh.BootTimeout } : null,
        });
    }

    /// <param name="after">What follows the script on stdin: secret lines (when <paramref name="secret"/>) or a plain document.</param>
    private static CommandArgs Args(SshTarget ssh, StepScript step, bool waitForBoot, InputList<object>? triggers, Output<string>? after, bool secret)
    {
        var args = new CommandArgs
        {
            Connection = ssh.Connection(waitForBoot),
            Create = StepScript.Runner,
            Stdin = after is null ? step.Text
                : secret ? Output.CreateSecret(after.Apply(lines => step.Text + lines))
                : after.Apply(document => step.Text + document),
        };
        if (secret)
        {
            args.Logging = Logging.None;
        }
        if (triggers is not null)
        {
            args.Triggers = triggers;
        }
        return args;
    }
}
