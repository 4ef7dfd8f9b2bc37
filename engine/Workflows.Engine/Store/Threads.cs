namespace Workflows.Engine.Store;

static class Threads
{
    /// <summary>
    /// Runs blocking work on a thread of its own, not the pool's: a commit blocks in fsync, a checkpoint
    /// in the database file's sync. On two cores a pool thread stuck there half the time left the
    /// request threads short (measured: 8-30 % fewer requests/s).
    /// </summary>
    public static Task Start(string name, Action work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try { work(); done.SetResult(); }
            catch (Exception e) { done.SetException(e); }
        });
        thread.IsBackground = true;
        thread.Name = name;
        thread.Start();
        return done.Task;
    }
}
