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

    /// <summary>
    /// The connection for a step. The first step of a chain waits for the machine to answer
    /// (it may be booting or mid-reinstall); later steps fail fast.
    /// </summary>
    public ConnectionArgs Connection(bool waitForBoot) => new()
    {
        Host = Host,
        Port = Port.Apply(p => (double)p),
        User = User,
        PrivateKey = SecretKey(),
        HostKey = HostKey,
        // 90 dials of 10 s: a reinstall or reboot has 15 minutes to come back.
        DialErrorLimit = waitForBoot ? 90 : 3,
        PerDialTimeout = 10,
    };

    private Input<string>? SecretKey() => PrivateKey is null ? null : (Input<string>)Output.CreateSecret(PrivateKey.ToOutput()!);
}
