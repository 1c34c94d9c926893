[assembly: AssemblyFixture(typeof(Islander.Testing.CgroupParentCleanup))]
[assembly: AssemblyFixture(typeof(Islander.Integration.Tests.Package.PackageHeadStart))]

namespace Islander.Integration.Tests;
