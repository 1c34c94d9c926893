namespace Islander.Drivers.Tests;
