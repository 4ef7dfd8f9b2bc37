using Microsoft.Extensions.Logging;
using Quartz;
using Workflows.Engine.Runtime;

namespace Workflows.Engine.Scheduling;

/// <summary>
/// Keeps Quartz's triggers in step with the processes' cron schedules. Triggers live in Quartz's
/// persistent store in the engine's database, so their next fire time and misfires survive restarts.
/// Misfire policy: a schedule that missed firings while the server was down fires once as soon as it
/// is back, then follows its cron again.
/// </summary>
public sealed class ProcessSchedules(ISchedulerFactory schedulers, ProcessRegistry processes, ILogger<ProcessSchedules> log)
{
    const string Group = "process-schedules";

    public async Task SyncAllAsync(CancellationToken cancel = default)
    {
        foreach (var process in processes.All) await SyncAsync(process.ConvId, cancel);
    }

    /// <summary>Brings one process's triggers in line with its latest definition (none if it was deleted).</summary>
    public async Task SyncAsync(long convId, CancellationToken cancel = default)
    {
        var scheduler = await schedulers.GetScheduler(cancel);
        var jobKey = new JobKey($"process-{convId}", Group);
        var schedules = processes.Find(convId) is { Broken: null } process ? process.Latest.Definition.Schedules ?? [] : [];
        var wanted = schedules.Select((s, i) => (Key: new TriggerKey($"process-{convId}-{i}-{Fingerprint(s.Cron, s.TimeZone)}", Group), Index: i, Schedule: s)).ToList();
        // The job remembers the triggers it was given, so triggers of removed or changed schedules can be dropped.
        var job = await scheduler.GetJobDetail(jobKey, cancel);
        var had = job?.JobDataMap.TryGetString("triggers", out var list) == true && list is not null
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries) : [];
        foreach (var stale in had.Where(name => wanted.All(w => w.Key.Name != name)))
            await scheduler.UnscheduleJob(new TriggerKey(stale, Group), cancel);
        if (wanted.Count == 0)
        {
            if (job is not null) await scheduler.DeleteJob(jobKey, cancel);
            return;
        }
        var detail = JobBuilder.Create<ScheduledStartJob>().WithIdentity(jobKey).StoreDurably()
            .UsingJobData("conv_id", convId)
            .UsingJobData("triggers", string.Join(',', wanted.Select(w => w.Key.Name)))
            .Build();
        await scheduler.AddJob(detail, new AddJobOptions { Replace = true }, cancel);
        foreach (var (key, index, schedule) in wanted)
        {
            // An unchanged schedule keeps its trigger, and with it the misfire that downtime caused.
            if (await scheduler.Exists(key, cancel)) continue;
            var zone = schedule.TimeZone is null ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(schedule.TimeZone);
            var trigger = TriggerBuilder.Create()
                .WithIdentity(key)
                .ForJob(jobKey)
                .UsingJobData("index", index)
                .WithCronSchedule(schedule.Cron, c => c.InTimeZone(zone).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed))
                .Build();
            await scheduler.ScheduleJob(trigger, default, cancel);
            log.LogInformation("Process {ConvId} schedule {Cron} ({Zone}) is on", convId, schedule.Cron, zone.Id);
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "A short name for a schedule's trigger, not a security measure.")]
    static string Fingerprint(string cron, string? zone) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(System.Text.Encoding.UTF8.GetBytes(cron + "|" + zone)))[..10];
}

/// <summary>Creates the task a schedule asks for, with the schedule's data and the planned fire time.</summary>
[DisallowConcurrentExecution]
public sealed class ScheduledStartJob(ProcessRegistry processes, TaskService tasks, ILogger<ScheduledStartJob> log) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var convId = context.MergedJobDataMap.GetLong("conv_id");
        var index = context.MergedJobDataMap.GetInt("index");
        var schedule = processes.Find(convId)?.Latest.Definition.Schedules?.ElementAtOrDefault(index);
        if (schedule is null) return;
        var data = (System.Text.Json.Nodes.JsonObject?)schedule.Data?.DeepClone() ?? [];
        data["scheduled_at"] = (context.ScheduledFireTimeUtc ?? context.FireTimeUtc).ToUnixTimeSeconds();
        var created = await tasks.CreateAsync(convId, null, data, cancellationToken);
        if (!created.Ok) log.LogWarning("Schedule {Index} of process {ConvId} did not start a task: {Reason}", index, convId, created.Description);
    }
}
