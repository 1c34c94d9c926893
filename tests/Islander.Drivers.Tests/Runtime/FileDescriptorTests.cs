using System.Diagnostics;
using System.Runtime.InteropServices;
using Islander.Drivers.Interop;
using Tmds.Linux;

namespace Islander.Drivers.Tests.Runtime;

public sealed class FileDescriptorTests
{
    static (int Gettid, int Tgkill) Syscalls => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => (186, 234),
        Architecture.Arm64 => (178, 131),
        var other => throw new PlatformNotSupportedException($"no syscall numbers for {other}"),
    };

    // A signal that has a handler interrupts poll(2) with EINTR: the daemon's pump threads get the SIGCHLD of every
    // launcher that ends. That is "not readable yet", not an error (it was once reported as "errno 0 (Success)",
    // because LibC.poll does not keep errno, and failed an exec).
    [Fact]
    public void PollReadable_InterruptedBySignal_IsNotReadableYet()
    {
        using var handler = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, c => c.Cancel = true);
        var (read, write) = PipeInterop.Create(3);
        try
        {
            int tid = 0;
            bool? readable = null;
            Exception? error = null;
            var thread = new Thread(() =>
            {
                Volatile.Write(ref tid, (int)LibC.syscall(Syscalls.Gettid));
                try
                {
                    readable = FileDescriptorInterop.PollReadable(read, 20_000, "test pipe");
                }
                catch (Exception e)
                {
                    error = e;
                }
            });
            var sw = Stopwatch.StartNew();
            thread.Start();
            // Until the poll returns: a signal that lands before the thread is in poll interrupts nothing.
            while (!thread.Join(50))
                if (Volatile.Read(ref tid) is > 0 and var t)
                    LibC.syscall(Syscalls.Tgkill, Environment.ProcessId, t, LibC.SIGWINCH);

            Assert.Null(error);
            Assert.False(readable);
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"poll was not interrupted: {sw.Elapsed}");
        }
        finally
        {
            FileDescriptorInterop.Close(read);
            FileDescriptorInterop.Close(write);
        }
    }

    // The probe of every reconcile pass reads a few small files per isle with ReadSmallText: no flock, no FileStream.
    [Fact]
    public void ReadSmallText_ReadsProcAndAFileAnotherHoldsExclusively_NullWhenMissingOrGone_ALongFileWhole()
    {
        var dir = Directory.CreateTempSubdirectory("islander-readsmall-").FullName;
        try
        {
            Assert.Equal(Islander.Drivers.Runtime.ProcStat.StartTime(File.ReadAllText("/proc/self/stat")),
                Islander.Drivers.Runtime.ProcStat.StartTime(FileDescriptorInterop.ReadSmallText("/proc/self/stat")!));

            string held = Path.Combine(dir, "process");
            File.WriteAllText(held, "12 11 1700000000000 345 344");
            using (new FileStream(held, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) // flock(LOCK_EX) by .NET
            {
                Assert.Throws<IOException>(() => File.ReadAllText(held));
                Assert.Equal("12 11 1700000000000 345 344", FileDescriptorInterop.ReadSmallText(held));
            }

            Assert.Null(FileDescriptorInterop.ReadSmallText(Path.Combine(dir, "missing")));
            Assert.Null(FileDescriptorInterop.ReadSmallText(Path.Combine(dir, "missing", "stat")));
            using var ended = Process.Start("true")!;
            ended.WaitForExit();
            Assert.Null(FileDescriptorInterop.ReadSmallText($"/proc/{ended.Id}/stat"));

            string longFile = Path.Combine(dir, "long");
            string text = new('x', 5000);
            File.WriteAllText(longFile, text);
            Assert.Equal(text, FileDescriptorInterop.ReadSmallText(longFile));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
