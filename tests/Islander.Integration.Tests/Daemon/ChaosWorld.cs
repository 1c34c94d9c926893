using System.Globalization;

namespace Islander.Integration.Tests.Daemon;

/// <summary>
/// What the chaos test wants to exist: two networks, named dir volumes and isles (each on one or both networks, some
/// with a volume, a published port, a rollout policy or an image), written as one manifest per object. Each isle runs
/// <c>sleep TAG</c>, its tag changed by every spec edit, so its command line tells which spec a process runs.
/// </summary>
public sealed class ChaosWorld
{
    public static readonly (string Name, string Subnet)[] Networks = [("chaosa", "10.201.0.0/24"), ("chaosb", "10.202.0.0/24")];

    readonly DaemonHarness _h;
    readonly Random _random;
    int _tags = 100_000;
    int _ports = 18_300;

    public ChaosWorld(DaemonHarness h, Random random)
    {
        _h = h;
        _random = random;
    }

    public sealed class Isle
    {
        public required string Name { get; init; }
        public List<string> Networks { get; set; } = [];
        public string? Volume { get; init; }
        public int? HostPort { get; init; }
        public bool Rollout { get; init; }
        public string? Image { get; init; }
        public int Tag { get; set; }
        public string Command => $"sleep {Tag.ToString(CultureInfo.InvariantCulture)}";
    }

    public Dictionary<string, Isle> Isles { get; } = new(StringComparer.Ordinal);
    public List<string> Volumes { get; } = [];
    public List<string> Images { get; } = [];

    public void WriteNetworks()
    {
        foreach (var (name, subnet) in Networks)
            _h.WriteManifest($"net-{name}.yaml", $"apiVersion: islander.io/v1\nkind: Network\nmetadata: {{name: {name}}}\nspec: {{subnet: {subnet}}}\n");
    }

    public string AddVolume()
    {
        var name = $"chaosvol{Volumes.Count}";
        Volumes.Add(name);
        _h.WriteManifest($"vol-{name}.yaml", $"apiVersion: islander.io/v1\nkind: Volume\nmetadata: {{name: {name}}}\nspec: {{driver: dir}}\n");
        return name;
    }

    /// <summary>A new isle with random parts (networks, volume, port, rollout); <paramref name="volume"/> or <paramref name="image"/> forced.</summary>
    public Isle AddIsle(string? volume = null, string? image = null)
    {
        int nets = _random.Next(4); // 0: a, 1: b, 2-3: both
        var isle = new Isle
        {
            Name = _h.NewName("chaos"),
            Networks = nets switch { 0 => ["chaosa"], 1 => ["chaosb"], _ => ["chaosa", "chaosb"] },
            Volume = volume ?? (Volumes.Count > 0 && _random.Next(2) == 0 ? Volumes[_random.Next(Volumes.Count)] : null),
            HostPort = _random.Next(4) == 0 ? _ports++ : null,
            Rollout = image is null && _random.Next(4) == 0,
            Image = image,
            Tag = _tags++,
        };
        Isles[isle.Name] = isle;
        Write(isle);
        return isle;
    }

    public void Edit(Isle isle)
    {
        isle.Tag = _tags++;
        Write(isle);
    }

    /// <summary>Moves the isle to the other network, or onto both, or back to one: a recreate that attaches new links.</summary>
    public void Reattach(Isle isle)
    {
        isle.Networks = isle.Networks.Count == 2 ? [isle.Networks[_random.Next(2)]] : ["chaosa", "chaosb"];
        isle.Tag = _tags++;
        Write(isle);
    }

    public void Remove(Isle isle)
    {
        Isles.Remove(isle.Name);
        _h.RemoveManifest($"{isle.Name}.yaml");
    }

    void Write(Isle isle)
    {
        var extra = $"  networks: [{string.Join(", ", isle.Networks.Select(n => $"{{name: {n}}}"))}]\n";
        if (isle.Volume is not null) extra += $"  volumes: [{{name: {isle.Volume}, mountPath: /data}}]\n";
        if (isle.HostPort is { } port) extra += $"  ports: [{{containerPort: 80, hostPort: {port.ToString(CultureInfo.InvariantCulture)}}}]\n";
        if (isle.Rollout) extra += "  update: {healthTimeout: 20s, minHealthyTime: 1s}\n";
        var yaml = _h.IsleYaml(isle.Name, "", extraSpec: extra).Replace("""command: ["sh", "-c", ""]""", $"command: [sleep, \"{isle.Tag}\"]", StringComparison.Ordinal);
        if (isle.Image is not null) yaml = yaml.Replace($"rootfs: {_h.Rootfs}", $"image: {isle.Image}", StringComparison.Ordinal);
        _h.WriteManifest($"{isle.Name}.yaml", yaml);
    }
}
