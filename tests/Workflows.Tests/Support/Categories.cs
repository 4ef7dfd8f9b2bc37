namespace Workflows.Tests.Support;

// The slow parts of the suite as NUnit categories, so that a developer can run the fast rest alone
// (README, "Tests"):
//   dotnet test tests/Workflows.Tests --filter "TestCategory!=Browser&TestCategory!=Postgres&TestCategory!=Cluster&TestCategory!=Flows&TestCategory!=Slow"
// tests/run.sh runs them all.
public static class Categories
{
    /// <summary>Headless Chromium driving the designer on the real server (Designer/).</summary>
    public const string Browser = "Browser";
    /// <summary>The PostgreSQL run of the fixtures on both stores; needs the private cluster tests/run.sh starts.</summary>
    public const string Postgres = "Postgres";
    /// <summary>Several servers on one store.</summary>
    public const string Cluster = "Cluster";
    /// <summary>The bundled processes end to end against the vendor simulators (Processes/).</summary>
    public const string Flows = "Flows";
    /// <summary>Waits on real time, restarts or kills servers, or sends thousands of hostile bodies.</summary>
    public const string Slow = "Slow";
}
