using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using LiteDB;
using LiteDB.Engine;

namespace Islander.Controller.State;

/// <summary>
/// Closes a LiteDB database with none of its transactions left to the GC's finalizer. LiteDB 5's transaction has a
/// finalizer that runs its whole dispose on the GC's thread, where an exception ends the process (litedb-org/LiteDB#2828).
/// A commit the disk refused half-way (ENOSPC, EIO) leaves a transaction that cannot dispose: LiteDB moves each page to
/// its read cache before it writes it, so discarding the transaction's pages throws "discarded page must be writable".
/// Closing the database disposes its open transactions and swallows that, so the broken one stays undisposed in a slot
/// of the thread that made it; once that thread ends (a thread-pool thread retires after a quiet spell), the next
/// collection finalizes it, and islanderd died. So every transaction still open is taken off the finalizer's queue first:
/// closing disposes the sound ones itself, and the broken one is only memory, freed with the rest.
/// </summary>
internal static class LiteDatabases
{
    static readonly FieldInfo? EngineField = typeof(LiteDatabase).GetField("_engine", BindingFlags.Instance | BindingFlags.NonPublic);
    static readonly FieldInfo? MonitorField = typeof(LiteEngine).GetField("_monitor", BindingFlags.Instance | BindingFlags.NonPublic);

    /// <summary>Databases whose transactions could not be reached (another LiteDB than 5.0.21's layout): kept from the GC for good.</summary>
    static readonly List<LiteDatabase> Kept = [];

    /// <summary>Disposes <paramref name="db"/>; no transaction of it is ever finalized. Throws what LiteDB's dispose throws.</summary>
    [DynamicDependency("_engine", typeof(LiteDatabase))]
    [DynamicDependency("_monitor", typeof(LiteEngine))]
    [DynamicDependency("Transactions", "LiteDB.Engine.TransactionMonitor", "LiteDB")]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "TransactionMonitor.Transactions is kept by the DynamicDependency above")]
    public static void Close(LiteDatabase db)
    {
        if (EngineField?.GetValue(db) is LiteEngine engine && MonitorField?.GetValue(engine) is { } monitor
            && monitor.GetType().GetProperty("Transactions")?.GetValue(monitor) is IEnumerable open)
        {
#pragma warning disable CA1816 // another object's finalizer, on purpose: LiteDB's, which must not run
            foreach (var transaction in open.Cast<object>().ToList()) GC.SuppressFinalize(transaction);
#pragma warning restore CA1816
        }
        else
        {
            lock (Kept) Kept.Add(db);
        }
        db.Dispose();
    }
}
