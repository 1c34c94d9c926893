using LiteDB;

namespace Islander.Controller.State;

/// <summary>
/// One step of the state database's schema: rewrites a database of version <see cref="From"/> into version
/// <c>From + 1</c>. <see cref="Apply"/> works on raw documents (the records' classes are the current layout, not the
/// one it reads) and runs inside the transaction that also stamps the new version, so a step that throws leaves the
/// database as it was.
/// </summary>
public sealed record StateMigration(int From, string Description, Action<LiteDatabase> Apply)
{
    public int To => From + 1;

    public override string ToString() => $"{From} → {To} ({Description})";
}
