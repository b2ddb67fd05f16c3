namespace Lab.Tests.Shared;

/// <summary>The repository root, found from the test binaries (shared by the test projects).</summary>
internal static class RepoRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Lab.Infra.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Lab.Infra.sln not found above the test binaries.");
    }
}
