namespace Lab.Model.Spec;

/// <summary>
/// The patterns stack values must match: the loader compiles them, docs/configuration.md prints them.
/// </summary>
public static class ConfigPatterns
{
    public const string NodeName = @"\A[a-z][a-z0-9-]{0,39}\z";
    public const string UserName = @"\A[a-z_][a-z0-9_-]{0,31}\z";
    public const string UbuntuRelease = @"\A\d{2}\.\d{2}\z";
    public const string KeyFingerprint = @"\A[0-9A-F]{40}\z";
    public const string DriverVersion = @"\A\d{3}\.\d+(\.\d+)?-[0-9A-Za-z.+~]+\z";
    public const string AptVersion = @"\A(\d+:)?\d[0-9A-Za-z.+~]*(-[0-9A-Za-z.+~]+)?\z";
    public const string PackageName = @"\A[a-z0-9][a-z0-9+.-]+\z";
    public const string HardwareName = @"\A[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}\z";
    public const string AbsolutePath = @"\A(/(?!\.\.?(/|$))[A-Za-z0-9._-]+)+\z";
    public const string MountPoint = @"\A(/[a-z0-9_][a-z0-9_-]*)+\z";
    public const string AptMirrorUrl = @"\Ahttps?://[A-Za-z0-9.-]+(:\d{1,5})?(/[A-Za-z0-9._~/-]*)?\z";
    public const string SnapChannel = @"\A\d+\.\d+(-strict)?/(stable|candidate|beta|edge)\z";
    public const string PromDuration = @"\A((\d+)(ms|s|m|h|d|w|y))+\z";
    public const string RegistryHost = @"\A[a-z0-9][a-z0-9.-]{0,252}(:\d{1,5})?\z";
    public const string ModelName = @"\A[A-Za-z0-9][A-Za-z0-9._/:-]{0,199}\z";
    public const string GitCommit = @"\A[0-9a-f]{40}\z";
    public const string PythonRelease = @"\A[0-9]{1,4}(\.[0-9]{1,4}){1,3}\z";
    public const string PinnedImage = @"\A[a-z0-9][a-z0-9._/-]{0,200}:[A-Za-z0-9_][A-Za-z0-9._-]{0,127}@sha256:[0-9a-f]{64}\z";
    public const string SecretName = @"\A[a-z0-9][a-z0-9_/-]{0,127}\z";
    public const string FieldName = @"\A[A-Za-z_][A-Za-z0-9_]{0,63}\z";
    public const string PolicyPath = @"\A[a-z0-9][a-z0-9_/+*-]{0,255}\z";
    public const string Name = @"\A[A-Za-z0-9][A-Za-z0-9_/-]{0,127}\z";
}
