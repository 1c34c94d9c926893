namespace Islander.Drivers.Images;

public enum ImageProgressPhase { Resolving, Waiting, Downloading, Extracting, AlreadyExists, Complete, Done }
