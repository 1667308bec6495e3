package dev.ringmaster.deploy.kubernetes;

/** {@code repo:tag} or {@code repo@sha256:…}; a registry port ({@code host:5000/app}) is not a tag. */
record Image(String repository, String version) {
  static Image parse(String image) {
    int at = image.indexOf('@');
    if (at >= 0) return new Image(image.substring(0, at), image.substring(at + 1));
    int colon = image.lastIndexOf(':');
    if (colon > image.lastIndexOf('/')) return new Image(image.substring(0, colon), image.substring(colon + 1));
    return new Image(image, null);
  }

  @Override
  public String toString() {
    if (version == null) return repository;
    return repository + (version.startsWith("sha256:") ? "@" : ":") + version;
  }
}
