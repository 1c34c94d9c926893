using System.Diagnostics;
using Islander.Drivers.Images;

// ImagePull STORE_ROOT REFERENCE [PARALLEL]: pull + unpack into a store, print seconds and sizes.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: ImagePull STORE_ROOT REFERENCE [PARALLEL_DOWNLOADS]");
    return 2;
}
var sw = Stopwatch.StartNew();
var store = new OciImageStore(args[0], new RegistryClient(RegistryClient.CreateHttpClient(), RegistryCredentials.None, new RegistryOptions()),
    args.Length > 2 ? int.Parse(args[2]) : 3);
var info = await store.PullAsync(args[1], PullOptions.Default, null, CancellationToken.None);
var layers = store.Resolve(info.Id).LayerDirs;
sw.Stop();
Console.WriteLine($"{sw.Elapsed.TotalSeconds:F3}\t{info.Size}\t{layers.Count}");
return 0;
