using System.Diagnostics.CodeAnalysis;
using Islander.Model;

namespace Islander.Controller.State;

/// <summary>
/// The types LiteDB's <c>BsonMapper</c> reflects over at run time, kept whole for it in the NativeAOT islanderd (the
/// package), where the compiler keeps only what it sees used: the records' constructors and properties (read and set
/// through interpreted expressions), the collections it makes for their members (<see cref="List{T}"/> of strings,
/// <see cref="Dictionary{TKey,TValue}"/> of strings), and the enums it reads back by name. Add a record here when the
/// store gets a new collection, and a type here when a record gets a member of a new collection or enum type
/// (<c>StateRecordsTests</c> checks the list is whole).
/// </summary>
static class StateRecords
{
    const DynamicallyAccessedMemberTypes Mapped = DynamicallyAccessedMemberTypes.PublicConstructors
        | DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicFields;

    internal static readonly Type[] Types =
    [
        Keep<IsleRecord>(), Keep<DesiredRecord>(), Keep<EventRecord>(), Keep<NetworkRecord>(), Keep<VolumeRecord>(),
        Keep<RolloutRecord>(), Keep<SourceRecord>(),
        Keep<List<string>>(), Keep<Dictionary<string, string>>(),
        Keep<EventType>(), Keep<IslePhase>(), Keep<RestartPolicy>(), Keep<ReclaimPolicy>(), Keep<VolumePhase>(),
    ];

    static Type Keep<[DynamicallyAccessedMembers(Mapped)] T>() => typeof(T);
}
