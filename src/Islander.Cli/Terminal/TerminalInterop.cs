using System.Runtime.InteropServices;

namespace Islander.Cli.Terminal;

/// <summary>
/// islanderctl's own terminal: isatty, termios (tcgetattr, cfmakeraw, tcsetattr) and its size (TIOCGWINSZ). termios
/// is kept as glibc's opaque struct (60 bytes on Linux; 64 reserved) and changed only by glibc's cfmakeraw, so no
/// field offset is written down here.
/// </summary>
static unsafe partial class TerminalInterop
{
    public const int TermiosSize = 64;
    const int TCSANOW = 0;
    const uint TIOCGWINSZ = 0x5413;

    [LibraryImport("libc", EntryPoint = "isatty")]
    private static partial int IsAttyNative(int fd);

    [LibraryImport("libc", EntryPoint = "tcgetattr", SetLastError = true)]
    private static partial int TcGetAttrNative(int fd, byte* termios);

    [LibraryImport("libc", EntryPoint = "tcsetattr", SetLastError = true)]
    private static partial int TcSetAttrNative(int fd, int actions, byte* termios);

    [LibraryImport("libc", EntryPoint = "cfmakeraw")]
    private static partial void CfMakeRawNative(byte* termios);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int IoctlNative(int fd, nuint request, ushort* winsize);

    public static bool IsTerminal(int fd) => IsAttyNative(fd) == 1;

    /// <summary>The terminal's settings; null when <paramref name="fd"/> is not a terminal.</summary>
    public static byte[]? GetAttributes(int fd)
    {
        var termios = new byte[TermiosSize];
        fixed (byte* p = termios)
            return TcGetAttrNative(fd, p) == 0 ? termios : null;
    }

    /// <summary>Equivalent to: cfmakeraw on a copy of <paramref name="termios"/>: no echo, no line editing, no signals from keys, no output processing, 8 bits, read returns each byte.</summary>
    public static byte[] MakeRaw(byte[] termios)
    {
        var raw = (byte[])termios.Clone();
        fixed (byte* p = raw)
            CfMakeRawNative(p);
        return raw;
    }

    /// <summary>tcsetattr(TCSANOW), retried on EINTR; false when it failed (the terminal is gone).</summary>
    public static bool SetAttributes(int fd, byte[] termios)
    {
        fixed (byte* p = termios)
        {
            int rc;
            do rc = TcSetAttrNative(fd, TCSANOW, p);
            while (rc == -1 && Marshal.GetLastPInvokeError() == 4); // EINTR
            return rc == 0;
        }
    }

    /// <summary>The terminal's rows and columns (TIOCGWINSZ); null when <paramref name="fd"/> is not a terminal or has no size.</summary>
    public static (int Rows, int Cols)? Size(int fd)
    {
        ushort* ws = stackalloc ushort[4];
        if (IoctlNative(fd, TIOCGWINSZ, ws) != 0 || ws[0] == 0 || ws[1] == 0)
            return null;
        return (ws[0], ws[1]);
    }
}
