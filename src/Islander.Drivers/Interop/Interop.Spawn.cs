using System.Runtime.InteropServices;
using System.Text;

namespace Islander.Drivers.Interop;

/// <summary>
/// posix_spawn(3). glibc implements it with clone(CLONE_VM|CLONE_VFORK), so it is safe from a
/// multi-threaded runtime, and it reports a failed execve as its return value.
/// </summary>
internal static unsafe partial class SpawnInterop
{
    const string Libc = "libc";
    // Opaque glibc structs (80 and 336 bytes on x86_64 and aarch64); generous buffers.
    const int OpaqueSize = 1024;
    const short PosixSpawnSetSigDef = 0x04;
    const short PosixSpawnSetSigMask = 0x08;

    [LibraryImport(Libc)] private static partial int posix_spawn(int* pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);
    [LibraryImport(Libc)] private static partial int posix_spawn_file_actions_init(void* actions);
    [LibraryImport(Libc)] private static partial int posix_spawn_file_actions_destroy(void* actions);
    [LibraryImport(Libc)] private static partial int posix_spawn_file_actions_adddup2(void* actions, int fd, int newfd);
    [LibraryImport(Libc)] private static partial int posix_spawn_file_actions_addopen(void* actions, int fd, byte* path, int oflag, uint mode);
    [LibraryImport(Libc)] private static partial int posix_spawnattr_init(void* attr);
    [LibraryImport(Libc)] private static partial int posix_spawnattr_destroy(void* attr);
    [LibraryImport(Libc)] private static partial int posix_spawnattr_setflags(void* attr, short flags);
    [LibraryImport(Libc)] private static partial int posix_spawnattr_setsigmask(void* attr, void* sigmask);
    [LibraryImport(Libc)] private static partial int posix_spawnattr_setsigdefault(void* attr, void* sigdefault);
    [LibraryImport(Libc)] private static partial int sigfillset(void* set);
    [LibraryImport(Libc)] private static partial int sigemptyset(void* set);

    /// <summary>sizeof(sigset_t) in glibc: 1024 bits.</summary>
    const int SigsetSize = 128;

    /// <summary>
    /// In the child: open <see cref="Path"/> read-only (O_RDONLY) as <see cref="Fd"/>; Path null: dup2 <see cref="From"/>
    /// onto <see cref="Fd"/>.
    /// </summary>
    public readonly record struct FdAction(int Fd, int From, string? Path = null);

    /// <summary>
    /// Starts <paramref name="path"/> with an empty environment, an empty signal mask and every
    /// signal at its default disposition (.NET ignores SIGPIPE; ignored signals survive execve),
    /// after the given fd actions. Returns the child's pid; the caller must waitpid it.
    /// </summary>
    public static int Start(string path, IReadOnlyList<string> argv, IReadOnlyList<FdAction> actions)
    {
        void* fa = NativeMemory.AllocZeroed(OpaqueSize);
        void* attr = NativeMemory.AllocZeroed(OpaqueSize);
        var strings = new List<nint>();
        try
        {
            Check(posix_spawn_file_actions_init(fa), "posix_spawn_file_actions_init", null);
            Check(posix_spawnattr_init(attr), "posix_spawnattr_init", null);
            foreach (var a in actions)
            {
                if (a.Path is null)
                    Check(posix_spawn_file_actions_adddup2(fa, a.From, a.Fd), "posix_spawn_file_actions_adddup2", $"fd {a.From} -> {a.Fd}");
                else
                    Check(posix_spawn_file_actions_addopen(fa, a.Fd, CString(a.Path, strings), 0 /* O_RDONLY */, 0), "posix_spawn_file_actions_addopen", a.Path);
            }
            byte* all = stackalloc byte[SigsetSize], none = stackalloc byte[SigsetSize];
            _ = sigfillset(all);
            _ = sigemptyset(none);
            Check(posix_spawnattr_setsigdefault(attr, all), "posix_spawnattr_setsigdefault", null);
            Check(posix_spawnattr_setsigmask(attr, none), "posix_spawnattr_setsigmask", null);
            Check(posix_spawnattr_setflags(attr, PosixSpawnSetSigDef | PosixSpawnSetSigMask), "posix_spawnattr_setflags", null);

            byte** args = stackalloc byte*[argv.Count + 1];
            for (int i = 0; i < argv.Count; i++)
                args[i] = CString(argv[i], strings);
            args[argv.Count] = null;
            byte** env = stackalloc byte*[1];
            env[0] = null;

            int pid;
            Check(posix_spawn(&pid, CString(path, strings), fa, attr, args, env), "posix_spawn", path);
            return pid;
        }
        finally
        {
            _ = posix_spawn_file_actions_destroy(fa);
            _ = posix_spawnattr_destroy(attr);
            NativeMemory.Free(fa);
            NativeMemory.Free(attr);
            foreach (var s in strings)
                Marshal.FreeHGlobal(s);
        }
    }

    static byte* CString(string s, List<nint> owned)
    {
        var bytes = Encoding.UTF8.GetBytes(s + "\0");
        nint p = Marshal.AllocHGlobal(bytes.Length);
        owned.Add(p);
        Marshal.Copy(bytes, 0, p, bytes.Length);
        return (byte*)p;
    }

    // posix_spawn* return the error number instead of setting errno.
    static void Check(int rc, string op, string? path) => Errno.ThrowIfError(rc, op, path);
}
