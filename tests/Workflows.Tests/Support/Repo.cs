namespace Workflows.Tests.Support;

/// <summary>The repository's folders, found from the test binaries upwards.</summary>
public static class Repo
{
    public static string Root { get; } = Find();

    static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Workflows.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Workflows.sln not found above " + AppContext.BaseDirectory);
    }
}
