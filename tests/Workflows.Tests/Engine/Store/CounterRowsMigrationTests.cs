using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Workflows.Engine;
using Workflows.Engine.Store;
using Workflows.Tests.Support;

namespace Workflows.Tests.Engine.Store;

/// <summary>
/// Counter and sum rows became per engine node (an owner column in their keys): a store that counted
/// before keeps its counts, as rows of owner 0 that every read still adds up.
/// </summary>
public sealed class CounterRowsMigrationTests(string store) : OnBothStores(store)
{
    [Test]
    public async Task Counts_written_before_the_rows_had_an_owner_are_kept()
    {
        await using var empty = await EmptyStore.CreateAsync(Store);
        // The provider is disposed (its connections closed) before the store is dropped.
        {
            await using var provider = StoreProvider.For(empty.Options);
            await using (var db = provider.CreateDb())
            {
                var migrations = db.Database.GetMigrations().ToList();
                var before = migrations[migrations.FindIndex(m => m.EndsWith("_CounterOwner", StringComparison.Ordinal)) - 1];
                await db.Database.GetService<IMigrator>().MigrateAsync(before);
            }
            using (var connection = provider.OpenConnection())
                StoreProvider.Exec(connection, """
                    INSERT INTO node_stats (conv_id, node_id, entered, left_count) VALUES (7, 'start', 40, 38), (7, 'done', 38, 0);
                    INSERT INTO node_sums (conv_id, node_id, name, value) VALUES (7, 'count', 'revenue', 800.60);
                    """.Replace("800.60", Store == "sqlite" ? "'800.60'" : "800.60", StringComparison.Ordinal));

            await provider.MigrateAsync(CancellationToken.None);

            await using (var db = provider.CreateDb())
            {
                var rows = await db.NodeStats.AsNoTracking().OrderBy(s => s.NodeId).ToListAsync();
                Assert.That(rows.Select(r => (r.ConvId, r.NodeId, r.Owner, r.Entered, r.LeftCount)),
                    Is.EqualTo(new[] { (7L, "done", 0L, 38L, 0L), (7L, "start", 0L, 40L, 38L) }));
                var totals = await db.NodeTotalsAsync(7, CancellationToken.None);
                Assert.That(totals.Single(t => t.NodeId == "start"), Is.EqualTo(new NodeTotals(7, "start", 40, 38)));
                var sum = (await db.SumTotalsAsync(7, CancellationToken.None)).Single();
                Assert.That((sum.NodeId, sum.Name, sum.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)), Is.EqualTo(("count", "revenue", "800.60")));
            }
        }
    }
}
