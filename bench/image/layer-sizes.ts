import { runDocker } from "../../e2e/docker-engine.ts";

export interface AddedStep {
  // The history entry's instruction, such as "COPY /src/app/dist dist/ # buildkit".
  createdBy: string;
  // Uncompressed bytes, as `docker history --human=false` reports them.
  bytes: number;
}

export interface ImageSizes {
  // Uncompressed bytes of the whole image and of its base, from `docker image inspect`.
  imageBytes: number;
  baseBytes: number;
  layerCount: number;
  // The layers the Dockerfile's runtime stage adds on top of the base.
  addedBytes: number;
  addedLayerCount: number;
  // The history entries after the base's, oldest first, including those without a layer.
  addedSteps: AddedStep[];
}

interface InspectedImage {
  Size: number;
  RootFS: { Layers: string[] };
}

interface HistoryEntry {
  CreatedBy: string;
  Size: string;
}

// Measures what the image adds to its base. The image's first layers must be the base's
// layers, in order, which holds when the runtime stage starts FROM that base.
export async function measureImageSizes(image: string, baseImage: string): Promise<ImageSizes> {
  const [imageInspect, baseInspect] = await Promise.all([inspectImage(image), inspectImage(baseImage)]);
  const baseLayers = baseInspect.RootFS.Layers;
  const imageLayers = imageInspect.RootFS.Layers;
  const sharesBase = baseLayers.every((layer, index) => imageLayers[index] === layer);
  if (!sharesBase) {
    throw new Error(
      `The image ${image} is not built on ${baseImage}: its first ${baseLayers.length} layers differ from the base's. Pass the runtime stage's base with --runtime-image.`,
    );
  }

  const [imageHistory, baseHistory] = await Promise.all([readHistory(image), readHistory(baseImage)]);
  const addedSteps = imageHistory.slice(baseHistory.length).map((entry) => ({ createdBy: entry.CreatedBy, bytes: Number(entry.Size) }));

  return {
    imageBytes: imageInspect.Size,
    baseBytes: baseInspect.Size,
    layerCount: imageLayers.length,
    addedBytes: imageInspect.Size - baseInspect.Size,
    addedLayerCount: imageLayers.length - baseLayers.length,
    addedSteps,
  };
}

async function inspectImage(image: string): Promise<InspectedImage> {
  const [inspected] = JSON.parse(await runDocker(["image", "inspect", image])) as InspectedImage[];
  if (inspected === undefined) {
    throw new Error(`docker image inspect returned nothing for ${image}`);
  }
  return inspected;
}

// Oldest entry first; `docker history` lists the newest first.
async function readHistory(image: string): Promise<HistoryEntry[]> {
  const output = await runDocker(["history", "--no-trunc", "--human=false", "--format", "{{json .}}", image]);
  const entries = output
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as HistoryEntry);
  return entries.reverse();
}
