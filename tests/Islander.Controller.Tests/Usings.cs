namespace Islander.Controller.Tests;
