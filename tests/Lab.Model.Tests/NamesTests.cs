using System.Reflection;
using System.Text.RegularExpressions;
using Lab.Model.Spec;

namespace Lab.Model.Tests;

/// <summary>A Lab.Model type named like a System type hides it from every file that imports both (VaultAgent.File hid System.IO.File).</summary>
public class NamesTests
{
    /// <summary>The namespaces every project imports implicitly (ImplicitUsings in Directory.Build.props).</summary>
    private static readonly string[] ImplicitUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    [Fact]
    public void NoLabModelTypeSharesItsNameWithATypeOfAnImportedSystemNamespace()
    {
        var imported = Directory.EnumerateFiles(Path.Combine(Repo.Root, "components", "Lab.Model"), "*.cs", SearchOption.AllDirectories)
            .SelectMany(f => Regex.Matches(File.ReadAllText(f), @"^using (System[A-Za-z.]*);", RegexOptions.Multiline).Select(m => m.Groups[1].Value))
            .Concat(ImplicitUsings).ToHashSet();
        // The framework assemblies this test process runs on, as the host lists them.
        var framework = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(a => Path.GetFileName(a).StartsWith("System", StringComparison.Ordinal));
        var systemTypes = framework
            .SelectMany(PublicTypes)
            .Where(t => t.Namespace is not null && imported.Contains(t.Namespace))
            .Select(t => t.Name.Split('`')[0])
            .ToHashSet();
        var labTypes = typeof(LabSpec).Assembly.GetTypes().Where(t => !t.FullName!.Contains('<'));

        var shadowing = labTypes.Where(t => systemTypes.Contains(t.Name.Split('`')[0])).Select(t => t.FullName).Order().ToList();

        Assert.True(systemTypes.Contains("File") && systemTypes.Contains("JsonElement"), "the System types were not read");
        Assert.Empty(shadowing);
    }

    private static IEnumerable<Type> PublicTypes(string assembly)
    {
        try
        {
            return Assembly.Load(Path.GetFileNameWithoutExtension(assembly)).GetExportedTypes();
        }
        catch (BadImageFormatException)
        {
            // Native libraries in the runtime folder are not managed assemblies.
            return [];
        }
    }
}
