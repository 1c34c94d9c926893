namespace Islander.Drivers.Security;

/// <summary>What a seccomp rule does to a matching call (libseccomp's SCMP_ACT_*).</summary>
public enum SeccompAction
{
    /// <summary>SCMP_ACT_KILL / SCMP_ACT_KILL_THREAD: the calling thread is killed (SIGSYS).</summary>
    KillThread,

    /// <summary>SCMP_ACT_KILL_PROCESS: the whole process is killed (SIGSYS), Linux 4.14+.</summary>
    KillProcess,

    /// <summary>SCMP_ACT_TRAP: SIGSYS is sent to the thread.</summary>
    Trap,

    /// <summary>SCMP_ACT_ERRNO: the call fails with the rule's errno (EPERM when none is given).</summary>
    Errno,

    /// <summary>SCMP_ACT_TRACE: a ptrace tracer is notified with the rule's errnoRet as message (EPERM when none).</summary>
    Trace,

    /// <summary>SCMP_ACT_LOG: allowed and logged, Linux 4.14+.</summary>
    Log,

    /// <summary>SCMP_ACT_ALLOW.</summary>
    Allow,
}
