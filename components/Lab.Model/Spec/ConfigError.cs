namespace Lab.Model.Spec;

/// <summary>One problem in a stack's configuration: the key it sits under and how to fix it.</summary>
public sealed record ConfigError(string Key, string Problem, string Fix)
{
    public override string ToString() => $"{Key}: {Problem} Fix: {Fix}";
}

/// <summary>Every problem found in a stack's configuration, reported together before any resource exists.</summary>
public sealed class LabConfigException : Exception
{
    public LabConfigException(string stack, IReadOnlyList<ConfigError> errors)
        : base(Describe(stack, errors))
    {
        Stack = stack;
        Errors = errors;
    }

    public string Stack { get; }
    public IReadOnlyList<ConfigError> Errors { get; }

    private static string Describe(string stack, IReadOnlyList<ConfigError> errors)
    {
        var lines = errors.Select(e => $"  - {e}");
        return $"stack '{stack}': {errors.Count} configuration error(s); nothing was deployed.\n{string.Join('\n', lines)}";
    }
}
