package sail.server.model;
class Probe {}
