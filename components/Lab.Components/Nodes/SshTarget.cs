using Pulumi;
using Pulumi.Command.Remote.Inputs;

namespace Lab.Components.Nodes;

/// <summary>How the program reaches one machine over SSH. The private key, when set, is a Pulumi secret.</summary>
public sealed class SshTarget
{
    public required Input<string> Host { get; init; }
    public required Input<int> Port { get; init; }
    public required Input<string> User { get; init; }

    /// <summary>The machine's SSH host key (OpenSSH line); null: not yet collected, the connection is unpinned.</summary>
    public Input<string>? HostKey { get; init; }

    /// <summary>Deploy key (lab:ssh.auth = key); null means the operator's ssh-agent (SSH_AUTH_SOCK).</summary>
    public Input<string>? PrivateKey { get; init; }

    /// <summary>How long a step that waits for a boot keeps dialling (lab:ssh.bootTimeout).</summary>
    public required TimeSpan BootTimeout { get; init; }

    /// <summary>
    /// The connection for a step. A step that waits for a boot (first of a chain, or after the driver reboot) dials
    /// without a count limit: pulumi-command 1.2.1 counts failed dials, and with its backoff (100 ms x 1.5, at most
    /// 5 s) refused dials would run out in minutes. Its deadline is the step's create/update timeout instead
    /// (<see cref="BootTimeout"/>, see RemoteStep). Later steps fail fast.
    /// </summary>
    public ConnectionArgs Connection(bool waitForBoot) => waitForBoot ? _booting ??= NewConnection(true) : _booted ??= NewConnection(false);

    // One of each per target, shared by its steps: Pulumi reflects over every ConnectionArgs it is given and
    // makes an Output of each field, which a node's dozen steps paid a dozen times.
    private ConnectionArgs? _booting;
    private ConnectionArgs? _booted;

    private ConnectionArgs NewConnection(bool waitForBoot) => new()
    {
        Host = Host,
        Port = Port.Apply(p => (double)p),
        User = User,
        PrivateKey = SecretKey(),
        HostKey = HostKey,
        DialErrorLimit = waitForBoot ? UnlimitedDials : 3,
        PerDialTimeout = 10,
    };

    /// <summary>pulumi-command's "no limit" (dialErrorUnlimited in its connection.go).</summary>
    public const int UnlimitedDials = -1;

    private Input<string>? SecretKey() => PrivateKey is null ? null : (Input<string>)Output.CreateSecret(PrivateKey.ToOutput()!);
}
