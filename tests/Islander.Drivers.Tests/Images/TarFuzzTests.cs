using System.Formats.Tar;
using System.Text;
using CsCheck;
using Islander.Drivers.Images;
using Islander.Drivers.Interop;
using Islander.Model;
using Islander.Testing;

namespace Islander.Drivers.Tests.Images;

/// <summary>
/// Layer extraction fed generated archives: entries of every type (files, directories, symlinks and hard links that
/// climb or point at a directory outside, whiteouts, opaque markers, devices, fifos, long names, PAX xattrs), in every
/// tar format, then now and then truncated, gzipped, or with a header field that lies (size, checksum, type, name). Each
/// unpacks into a fresh directory next to a sentinel directory: it succeeds or throws <see cref="IslanderException"/>,
/// in bounded time, and nothing appears outside the target.
/// </summary>
public sealed class TarFuzzTests : IDisposable
{
    readonly TempDir temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>One entry to write; "@OUT@" in a name or link stands for the sentinel directory's absolute path.</summary>
    public sealed record Entry(TarEntryType Type, string Name, string Link, int Size, int Mode, string? Xattr);

    /// <summary>An archive to build: its entries, its format and what is done to its bytes afterwards.</summary>
    public sealed record Archive(Entry[] Entries, TarEntryFormat Format, int Damage, int DamageAt, int DamageValue, bool Gzip)
    {
        public override string ToString() =>
            $"{Format}{(Gzip ? " gzip" : "")} damage {Damage}@{DamageAt}={DamageValue}\n" + string.Join("\n", Entries.Select(e => $"  {e}"));
    }

    static readonly Gen<string> Component = Gen.Frequency(
        (6, Gen.OneOf("a", "b", "c", "d", "etc", "bin", "usr")),
        (2, Gen.OneOf("..", ".", "", ".wh.a", ".wh.b", ".wh..wh..opq", ".wh..wh.plnk", ".wh.", ".wh...", "@OUT@")),
        (1, Gen.Int[100, 300].Select(n => new string('n', n))),
        (1, Gen.String[Gen.Char[(char)1, (char)0x2FF], 1, 8]));

    static readonly Gen<string> PathGen = Gen.Select(Gen.Bool, Component.Array[1, 5], (absolute, parts) => (absolute ? "/" : "") + string.Join('/', parts));

    static readonly Gen<Entry> EntryGen = Gen.Select(
        Gen.Frequency(
            (5, Gen.OneOf(TarEntryType.RegularFile)), (3, Gen.OneOf(TarEntryType.Directory)), (3, Gen.OneOf(TarEntryType.SymbolicLink)),
            (2, Gen.OneOf(TarEntryType.HardLink)), (1, Gen.OneOf(TarEntryType.CharacterDevice, TarEntryType.BlockDevice, TarEntryType.Fifo))),
        PathGen, Gen.Frequency((3, PathGen), (1, Gen.OneOf("/", "..", "../../..", "/@OUT@", "@OUT@/x", "/proc/self/root", "/dev/zero", ""))),
        Gen.Frequency((4, Gen.Int[0, 64]), (1, Gen.Int[0, 70000])), Gen.Int[0, 0xFFF],
        Gen.Frequency((6, Gen.Bool.Select(_ => (string?)null)),
            (1, Gen.OneOf<string?>("SCHILY.xattr.user.a", "SCHILY.xattr.trusted.overlay.opaque", "LIBARCHIVE.xattr.user.b", "LIBARCHIVE.xattr.%00", "SCHILY.xattr.", "SCHILY.xattr." + new string('x', 300)))),
        (type, name, link, size, mode, xattr) => new Entry(type, name, link, size, mode, xattr));

    static readonly Gen<Archive> ArchiveGen = Gen.Select(
        EntryGen.Array[1, 12], Gen.OneOf(TarEntryFormat.Pax, TarEntryFormat.Gnu, TarEntryFormat.Ustar, TarEntryFormat.V7),
        Gen.Frequency((5, Gen.Int[0, 0]), (5, Gen.Int[1, 7])), Gen.Int[0, int.MaxValue], Gen.Int[0, 255], Gen.Frequency((5, Gen.OneOf(false)), (1, Gen.OneOf(true))),
        (entries, format, damage, at, value, gzip) => new Archive(entries, format, damage, at, value, gzip));

    /// <summary>The archive's bytes; entries a format cannot hold (a long name in V7) are left out, as a real tool would refuse them.</summary>
    internal static byte[] Build(Archive archive, string outside)
    {
        var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, archive.Format, leaveOpen: true))
        {
            foreach (var e in archive.Entries)
            {
                var name = e.Name.Replace("@OUT@", outside, StringComparison.Ordinal);
                var type = archive.Format == TarEntryFormat.V7 && e.Type is not (TarEntryType.Directory or TarEntryType.SymbolicLink or TarEntryType.HardLink)
                    ? TarEntryType.V7RegularFile : e.Type;
                if (type == TarEntryType.RegularFile && archive.Format == TarEntryFormat.V7) type = TarEntryType.V7RegularFile;
                try
                {
                    TarEntry entry = archive.Format switch
                    {
                        TarEntryFormat.Pax when e.Xattr is { } x => new PaxTarEntry(type, name, [new(x, "dmFsdWU=\u00ff")]),
                        TarEntryFormat.Pax => new PaxTarEntry(type, name),
                        TarEntryFormat.Gnu => new GnuTarEntry(type, name),
                        TarEntryFormat.Ustar => new UstarTarEntry(type, name),
                        _ => new V7TarEntry(type, name),
                    };
                    entry.Mode = (UnixFileMode)e.Mode;
                    if (type is TarEntryType.SymbolicLink or TarEntryType.HardLink) entry.LinkName = e.Link.Replace("@OUT@", outside, StringComparison.Ordinal);
                    if (type is TarEntryType.RegularFile or TarEntryType.V7RegularFile) entry.DataStream = new MemoryStream(new byte[e.Size]);
                    if (entry is PosixTarEntry device && type is TarEntryType.CharacterDevice or TarEntryType.BlockDevice) (device.DeviceMajor, device.DeviceMinor) = (1, 3);
                    writer.WriteEntry(entry);
                }
                catch (Exception x) when (x is ArgumentException or FormatException or InvalidOperationException)
                {
                    // The writer refuses what its format cannot say; such an entry is not in the archive.
                }
            }
        }
        var bytes = buffer.ToArray();
        if (bytes.Length > 0 && archive.Damage > 0)
        {
            int at = archive.DamageAt % bytes.Length;
            int header = at / 512 * 512;
            switch (archive.Damage)
            {
                case 1: bytes = bytes[..at]; break; // truncated
                case 2: bytes[at] = (byte)archive.DamageValue; break; // one byte
                case 3: Encoding.ASCII.GetBytes("77777777777").CopyTo(bytes, header + 124); break; // size lies: 8 GiB
                case 4: Encoding.ASCII.GetBytes("00000000000").CopyTo(bytes, header + 124); break; // size lies: 0
                case 5: bytes[header + 156] = (byte)archive.DamageValue; break; // type
                case 6: Encoding.ASCII.GetBytes("../../../..").CopyTo(bytes, header); break; // name, checksum now wrong
                default: Array.Copy(bytes, header, bytes, Math.Max(0, header - 512), Math.Min(512, bytes.Length - header)); break; // a header twice
            }
        }
        return archive.Gzip ? TestTar.Gzip(bytes) : bytes;
    }

    /// <summary>Unpacks into a fresh target; returns whether it failed cleanly. Throws on any other outcome.</summary>
    internal static void UnpackChecked(byte[] bytes, string work, string outside, UnpackOptions options)
    {
        var target = Path.Combine(work, "target");
        Directory.CreateDirectory(target);
        try
        {
            using var stream = new MemoryStream(bytes);
            TarUnpacker.Unpack(stream, target, options);
        }
        catch (IslanderException)
        {
            // a refused archive: the documented outcome
        }
        finally
        {
            var stray = Directory.EnumerateFileSystemEntries(outside).ToList();
            var siblings = Directory.EnumerateFileSystemEntries(work).Select(Path.GetFileName).Where(n => n != "target").ToList();
            Assert.True(stray.Count == 0 && siblings.Count == 0, $"written outside the target: {string.Join(", ", stray.Concat(siblings!))}");
        }
    }

    [Fact]
    public void Unpack_GeneratedAndDamagedArchives_SucceedsOrRefusesAndNothingOutside()
    {
        var options = FileInterop.IsRoot ? UnpackOptions.Layer : UnpackOptions.Archive;
        var outside = temp["outside"];
        Directory.CreateDirectory(outside);
        int n = 0;
        var run = Fuzz.Run("tar", ArchiveGen, archive =>
        {
            var work = temp[$"w{Interlocked.Increment(ref n)}"];
            Directory.CreateDirectory(work);
            try
            {
                UnpackChecked(Build(archive, outside), work, outside, options);
            }
            finally
            {
                Directory.Delete(work, recursive: true);
            }
        }, 1000, a => a.ToString());
        Assert.True(run >= 100, $"only {run} inputs");
    }
}
