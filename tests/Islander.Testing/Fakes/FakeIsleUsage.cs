namespace Islander.Testing.Fakes;

/// <summary>
/// What a <see cref="FakeIsleRuntime"/> isle uses: CPU as a steady rate (so two samples give <see cref="CpuCores"/> × 100 %),
/// the rest as levels or running totals. Limits come from the isle's spec, as the kernel's come from its cgroup.
/// </summary>
/// <param name="CpuCores">Cores kept busy since the start: 0.5 reads as 50 %.</param>
/// <param name="NetworkRxBytes">Null: the isle is on the host's network.</param>
public sealed record FakeIsleUsage(
    double CpuCores = 0,
    long MemoryBytes = 0,
    long Pids = 1,
    long BlockReadBytes = 0,
    long BlockWriteBytes = 0,
    long? NetworkRxBytes = 0,
    long? NetworkTxBytes = 0);
