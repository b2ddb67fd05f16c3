using System.Reflection;

namespace Lab.Components;

/// <summary>
/// The provider plugin version a Pulumi provider SDK asks the engine for (the generated Utilities.Version): its
/// package's embedded version.txt. For the lab's own classes of a provider's resources (StepCommand, NodeLabelPatch),
/// which must ask for the plugin the SDK's classes would.
/// </summary>
internal static class PluginVersion
{
    public static string Of(Assembly sdk)
    {
        var resource = $"{sdk.GetName().Name}.version.txt";
        using var stream = sdk.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"the {sdk.GetName().Name} package has no embedded {resource}: its plugin version is unknown; restore the pinned package.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Trim();
    }
}
