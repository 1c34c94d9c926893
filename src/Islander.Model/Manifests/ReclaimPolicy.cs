namespace Islander.Model;

/// <summary>What happens to a volume's data when its manifest is removed (Kubernetes' persistentVolumeReclaimPolicy).</summary>
public enum ReclaimPolicy
{
    /// <summary>Keep the data; islander stops managing the volume but never deletes it (Docker's habit).</summary>
    Retain,

    /// <summary>Delete the data once no isle uses the volume.</summary>
    Delete,
}
